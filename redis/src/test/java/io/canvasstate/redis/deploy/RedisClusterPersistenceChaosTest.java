package io.canvasstate.redis.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.KeySchema;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.testing.PersistentInstance;
import io.canvasstate.redis.testing.PersistentInstances;
import io.canvasstate.redis.testing.RedisClusterExtension;
import io.canvasstate.redis.testing.RedisServer;
import io.canvasstate.redis.testing.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Persistence on a Redis Cluster whose master of {@code projects:dirty} is killed mid-traffic:
 * writes on the other masters succeed while their listing step fails, which left projects dirty,
 * unlisted and without TTL forever. After the promotion and a flush, every acknowledged write is
 * in the repository and no project stays dirty.
 */
class RedisClusterPersistenceChaosTest {
  @RegisterExtension
  static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path files;

  @RegisterExtension
  final PersistentInstances instances = new PersistentInstances();

  private final List<ServerProcess> killed = new ArrayList<>();

  @AfterEach
  void restartKilled() {
    killed.forEach(CLUSTER::restart);
  }

  @Test
  void masterOfTheDirtyListKilledUnderWrites_everyAcknowledgedWriteIsSavedAndNoProjectStaysDirty()
      throws Exception {
    StoreConfig config = CLUSTER.config().keyPrefix(RedisServer.newKeyPrefix())
        .timeout(Duration.ofMillis(500)).build();
    KeySchema keys = config.keySchema();
    JsonFileCanvasRepository<TestShape> durable =
        JsonFileCanvasRepository.open(files, PersistentInstance.SHAPES);
    PersistentInstance a = instances.open("a", config, durable, PersistenceConfig.builder()
        .saveInterval(Duration.ofMillis(20)).reconcileInterval(Duration.ofMillis(500)).build());
    // Projects on the other masters only: a write acknowledged by the killed master and not yet
    // replicated is lost by Redis itself, whatever a client does.
    ServerProcess listMaster = CLUSTER.masterOf(keys.dirtyProjectsKey());
    List<String> projects = new ArrayList<>();
    for (int p = 0; projects.size() < 40; p++) {
      if (CLUSTER.masterOf(keys.objectsKey("p" + p)) != listMaster) {
        projects.add("p" + p);
      }
    }
    a.worker().start();

    // Two writers, each on objects of its own, each value one more than the last it wrote.
    Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger writes = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      String writer = "w" + w;
      writers.add(instances.threads().submit(() -> {
        for (int i = 1; i <= 100_000 && !stop.get(); i++) {
          String project = projects.get(i % projects.size());
          String object = writer + "-" + (i % 7);
          try {
            a.canvas().put(project, object, new TestShape(object, i, 0));
            acknowledged.put(project + "/" + object, i);
            writes.incrementAndGet();
          } catch (RuntimeException e) {
            failures.incrementAndGet();
          }
          TimeUnit.MILLISECONDS.sleep(1);
        }
        return null;
      }));
    }
    await().atMost(WAIT).until(() -> writes.get() >= 300);
    // The list's master hangs mid-traffic: writes on the other masters go through while their
    // listing step gets no answer; then it dies and its replica takes over.
    listMaster.pause();
    await().atMost(WAIT).until(() -> failures.get() >= 6);
    listMaster.kill();
    killed.add(listMaster);
    await("a replica takes the list's slot over").atMost(WAIT).ignoreExceptions()
        .pollInterval(Duration.ofMillis(100))
        .until(() -> CLUSTER.masterOf(keys.dirtyProjectsKey()) != listMaster);
    stop.set(true); // no later write lists those projects again by chance
    for (Future<?> f : writers) {
      f.get(1, TimeUnit.MINUTES);
    }

    await("no project left dirty").atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> dirtyHashes(keys.prefix()) == 0 && a.backlog() == 0);
    acknowledged.forEach((projectObject, value) -> {
      String[] parts = projectObject.split("/");
      TestShape saved = durable.load(parts[0]).get(parts[1]);
      assertThat(saved).as(projectObject).isNotNull();
      assertThat(saved.x).as("%s: the last acknowledged write or a later one", projectObject)
          .isGreaterThanOrEqualTo(value);
    });
  }

  /** The dirty hashes of this test's keys on every live master. */
  private static int dirtyHashes(String prefix) {
    int n = 0;
    for (ServerProcess node : CLUSTER.liveNodes()) {
      try (Jedis jedis = CLUSTER.connect(node)) {
        if (!jedis.info("replication").contains("role:master")) {
          continue;
        }
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
          ScanResult<String> page = jedis.scan(cursor,
              new ScanParams().match(prefix + "canvas:{*}:dirty").count(1000));
          n += page.getResult().size();
          cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
      }
    }
    return n;
  }
}
