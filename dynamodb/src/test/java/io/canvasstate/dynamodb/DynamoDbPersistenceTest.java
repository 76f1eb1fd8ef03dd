package io.canvasstate.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.StoreConfig;
import io.canvasstate.contract.RecordingRepository.Gate;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.persistence.SaveFailedEvent;
import io.canvasstate.redis.testing.LogCapture;
import io.canvasstate.redis.testing.PersistenceScenario;
import io.canvasstate.redis.testing.PersistentInstance;
import io.canvasstate.redis.testing.PersistentInstances;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Persistence end to end on real servers: instances on one Redis, saving to one dynalite table
 * through {@link DynamoDbCanvasRepository}, as the README's DynamoDB example wires them.
 */
class DynamoDbPersistenceTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  @RegisterExtension
  static final DynaliteServer dynalite = new DynaliteServer();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  final PersistentInstances instances = new PersistentInstances();

  private DynamoDbCanvasRepository<TestShape> durable;

  @AfterEach
  void closeRepository() {
    if (durable != null) {
      durable.close();
    }
  }

  private DynamoDbCanvasRepository<TestShape> table(String name) {
    durable = DynamoDbCanvasRepository.builder(PersistentInstance.SHAPES)
        .config(dynalite.config(name)).credentials(dynalite.credentials()).build();
    return durable;
  }

  private PersistentInstance instance(String name, StoreConfig config,
      PersistenceConfig.Builder settings) {
    return instances.open(name, config, durable, settings.build());
  }

  private static PersistenceConfig.Builder settings() {
    return PersistenceConfig.builder().saveInterval(Duration.ofMillis(25));
  }

  private static TestShape shape(String id, int x) {
    return new TestShape(id, x, x);
  }

  @Test
  void twoInstances_10000WritesAcross50Projects_tableEqualsFinalStateAndNoChangeSavedTwice() {
    StoreConfig config = redis.configBuilder().build();
    table("two_instances");
    PersistentInstance a = instance("a", config, settings());
    PersistentInstance b = instance("b", config, settings());
    a.worker().start();
    b.worker().start();

    PersistenceScenario.randomWrites(instances.threads(),
        List.of(a.canvas(), a.canvas(), b.canvas(), b.canvas()), 2_500, 50, 20, WAIT);
    await().atMost(WAIT).until(() -> a.backlog() == 0);

    PersistenceScenario.assertRepositoryEqualsStore(durable,
        a.stores().canvas(PersistentInstance.SHAPES), 50);
    PersistenceScenario.assertEachChangeSavedOnce(List.of(a.repository(), b.repository()));
    assertThat(a.persistence().stats().saveFailures() + b.persistence().stats().saveFailures())
        .isZero();
  }

  @Test
  void projectOnlyInDynamoDb_isLoadedOnFirstReadAndWarmed() {
    StoreConfig config = redis.configBuilder().build();
    table("cold");
    durable.save(new ProjectChanges<>("cold-1", 1, Map.of("a", shape("a", 1)), Set.of()));
    durable.save(new ProjectChanges<>("cold-2", 1, Map.of("b", shape("b", 2)), Set.of("gone")));
    PersistentInstance a = instance("a", config, settings());

    int warmed = a.persistence().warm(List.of("cold-2"));

    assertThat(warmed).isEqualTo(1);
    assertThat(a.canvas().getAll("cold-1")).containsOnlyKeys("a");
    assertThat(a.canvas().getAll("cold-2")).as("no tombstone read back").containsOnlyKeys("b");
    assertThat(a.repository().loads()).isEqualTo(2);
  }

  @Test
  void workerKilledMidSave_otherInstanceCompletesTheSaveAfterTheLease() throws Exception {
    StoreConfig config = redis.configBuilder().build();
    table("killed");
    Duration lease = Duration.ofSeconds(1);
    PersistentInstance a = instance("a", config, settings().saveLease(lease));
    PersistentInstance b = instance("b", config, settings().saveLease(lease));
    a.canvas().put("p", "x", shape("x", 1));
    a.canvas().put("p", "y", shape("y", 2));
    Gate gate = Gate.closed();
    a.repository().holdSaves(gate);
    AutoSaveWorker killed = a.worker().start();
    gate.awaitReached();
    Instant claimed = Instant.now();

    killed.shutdownNow();
    b.worker().start();

    await().atMost(WAIT).until(() -> b.backlog() == 0);
    assertThat(durable.load("p")).containsExactlyInAnyOrderEntriesOf(
        Map.of("x", shape("x", 1), "y", shape("y", 2)));
    assertThat(a.repository().applied()).as("the killed worker's save never landed").isEmpty();
    assertThat(b.saved()).singleElement().satisfies(e -> {
      assertThat(e.projectId()).isEqualTo("p");
      assertThat(e.upserts()).isEqualTo(2);
      assertThat(e.at()).as("not before the lease ended")
          .isAfterOrEqualTo(claimed.plus(lease).minusMillis(100));
    });
  }

  @Test
  void saveDelayedPastItsLease_isFencedAndTheNewerValuesStay() throws Exception {
    StoreConfig config = redis.configBuilder().build();
    table("late");
    Duration lease = Duration.ofSeconds(1);
    PersistentInstance a = instance("a", config, settings().saveLease(lease));
    PersistentInstance b = instance("b", config, settings().saveLease(lease));
    a.canvas().put("p", "x", shape("x", 1));
    a.canvas().put("p", "gone", shape("gone", 1));
    Gate gate = Gate.closed();
    a.repository().holdSaves(gate);
    AutoSaveWorker slow = a.worker();
    Future<AutoSaveWorker.Round> slowRound = instances.threads().submit(slow::runOnce);
    gate.awaitReached();
    b.canvas().put("p", "x", shape("x", 2));
    b.canvas().remove("p", "gone");
    Thread.sleep(lease.plusMillis(200).toMillis()); // the claim must end for b to take over

    AutoSaveWorker.Round takeover = b.worker().runOnce();
    gate.open();
    AutoSaveWorker.Round late = slowRound.get(1, TimeUnit.MINUTES);

    assertThat(takeover.savedObjects()).isEqualTo(2);
    assertThat(late.failed()).isEqualTo(1);
    assertThat(a.failed()).singleElement().extracting(SaveFailedEvent::reason)
        .isEqualTo(SaveFailedEvent.Reason.SUPERSEDED);
    assertThat(durable.load("p")).as("the late save wrote nothing back")
        .containsExactlyEntriesOf(Map.of("x", shape("x", 2)));
    assertThat(a.backlog()).isZero();
  }

  @Test
  void dynaliteKilledAndRestartedMidRun_failedSavesAreRetriedAndNothingIsLost() {
    StoreConfig config = redis.configBuilder().build();
    table("outage");
    PersistentInstance a = instance("a", config, settings());
    String logged;
    try (LogCapture logs = LogCapture.start()) {
      a.worker().start();
      PersistenceScenario.randomWrites(instances.threads(), List.of(a.canvas()), 300, 10, 10,
          WAIT);

      dynalite.kill();
      PersistenceScenario.randomWrites(instances.threads(), List.of(a.canvas()), 300, 10, 10,
          WAIT);
      await().atMost(WAIT).until(() -> a.persistence().stats().saveFailures() > 0);
      dynalite.restart();

      await().atMost(WAIT).until(() -> a.backlog() == 0);
      logged = logs.text();
    }
    PersistenceScenario.assertRepositoryEqualsStore(durable,
        a.stores().canvas(PersistentInstance.SHAPES), 10);
    assertThat(a.failed()).allSatisfy(e -> {
      assertThat(e.reason()).isEqualTo(SaveFailedEvent.Reason.REPOSITORY_FAILED);
      assertThat(e.error()).contains(durable.table());
    });
    assertThat(logged).as("the failure is logged, naming the table, without credentials")
        .contains(durable.table()).doesNotContain(DynaliteServer.SECRET);
  }
}
