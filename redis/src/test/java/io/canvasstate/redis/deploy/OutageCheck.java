package io.canvasstate.redis.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.contract.TestShape;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.redis.RedisStores;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a deployment's test does around a master failure: fill a project, run {@link Traffic} on
 * it while the test breaks Redis, and check what callers saw and what Redis kept.
 */
final class OutageCheck {
  static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);
  static final int BEFORE = 50;

  private OutageCheck() {}

  /**
   * With the bare Redis store: callers see only {@link StoreUnavailableException} (naming the
   * project's key) until the deployment has promoted a replica, then every call works again, and
   * nothing acknowledged before the failure is lost.
   *
   * @param awaitReplicated waits until the replica of the master of a key has its writes
   * @param breakIt kills the master of a key and waits for the promotion
   */
  static void bareStore(TestDeployment deployment, String project,
      Consumer<String> awaitReplicated, Consumer<String> breakIt) {
    try (RedisStores stores = RedisStores.create(deployment.config().fallbackEnabled(false)
        .build())) {
      CanvasStore<TestShape> canvas = deployment.canvas(stores, SHAPES);
      String key = fill(stores, canvas, project, awaitReplicated);

      List<Throwable> errors;
      try (Traffic traffic = Traffic.start(canvas, project)) {
        breakIt.accept(key);
        traffic.awaitSuccesses(20);
        errors = traffic.stop();
      }

      assertThat(errors).allSatisfy(e -> assertThat(e)
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining(project));
      assertBeforeKept(canvas.getAll(project));
    }
  }

  /**
   * With the default, failover-wrapped store: no caller sees any exception, the store fails over
   * and comes back, and every write made meanwhile is in Redis afterwards.
   */
  static void failoverStore(TestDeployment deployment, String project,
      Consumer<String> awaitReplicated, Consumer<String> breakIt) {
    try (RedisStores stores = RedisStores.create(deployment.config().build())) {
      CanvasStore<TestShape> canvas = stores.canvas(SHAPES);
      FailoverStore failover = stores.failover().orElseThrow();
      String key = fill(stores, canvas, project, awaitReplicated);

      List<Throwable> errors;
      int written;
      try (Traffic traffic = Traffic.start(canvas, project)) {
        breakIt.accept(key);
        await("failed over and back").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> failover.stats().failovers() > 0
                && failover.state() == FailoverState.HEALTHY);
        traffic.awaitSuccesses(20);
        errors = traffic.stop();
        written = traffic.operations();
      }

      assertThat(errors).isEmpty();
      assertThat(failover.stats().dropped()).isZero();
      Map<String, TestShape> inRedis = stores.redisCanvas(SHAPES).getAll(project);
      assertBeforeKept(inRedis);
      for (int i = 0; i < written; i++) {
        assertThat(inRedis).containsEntry("during-" + i, new TestShape("during-" + i, i, i));
      }
    }
  }

  private static String fill(RedisStores stores, CanvasStore<TestShape> canvas, String project,
      Consumer<String> awaitReplicated) {
    for (int i = 0; i < BEFORE; i++) {
      canvas.put(project, "before-" + i, new TestShape("before", i, i));
    }
    String key = stores.config().keySchema().objectsKey(project);
    // Replication is asynchronous: a write acknowledged just before the master dies can die with
    // it. Wait until the replica has what callers were told is written.
    awaitReplicated.accept(key);
    return key;
  }

  private static void assertBeforeKept(Map<String, TestShape> all) {
    for (int i = 0; i < BEFORE; i++) {
      assertThat(all).containsEntry("before-" + i, new TestShape("before", i, i));
    }
  }
}
