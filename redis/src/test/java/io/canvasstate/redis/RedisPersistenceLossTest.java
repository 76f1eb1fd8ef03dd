package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.JacksonCodec;
import io.canvasstate.KeySchema;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.RecordingPersistenceListener;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.redis.testing.LogCapture;
import io.canvasstate.redis.testing.PersistentInstance;
import io.canvasstate.redis.testing.PersistentInstances;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Redis losing unsaved data (an eviction, a {@code DEL}, a {@code FLUSHDB}) never damages the
 * durable copy: the lost upserts are reported, never saved as deletes, and the project reads
 * through from the repository again.
 */
class RedisPersistenceLossTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final JacksonCodec<TestShape> SHAPES = PersistentInstance.SHAPES;

  @TempDir
  Path files;

  @RegisterExtension
  final PersistentInstances instances = new PersistentInstances();

  private static TestShape shape(String id, int x) {
    return new TestShape(id, x, x);
  }

  /** A project of 20 objects saved, then all 20 changed (unsaved): what the issue describes. */
  private final RecordingPersistenceListener events = new RecordingPersistenceListener();

  private PersistentInstance savedThenChanged(JsonFileCanvasRepository<TestShape> durable) {
    StoreConfig config = redis.configBuilder().build();
    PersistentInstance a = instances.open("a", config, durable,
        PersistenceConfig.builder().saveInterval(Duration.ofMillis(25)).build());
    a.persistence().addListener(events);
    for (int i = 0; i < 20; i++) {
      a.canvas().put("p", "o" + i, shape("o" + i, 1));
    }
    a.worker().runOnce();
    assertThat(durable.load("p")).hasSize(20);
    for (int i = 0; i < 20; i++) {
      a.canvas().put("p", "o" + i, shape("o" + i, 2));
    }
    return a;
  }

  /** Uses the keys that record the changes, so LRU does not evict them. */
  private static void touch(Jedis raw, KeySchema keys) {
    raw.hlen(keys.projectKey("p", "dirty"));
    raw.hlen(keys.projectKey("p", "persist"));
    raw.zcard(keys.dirtyProjectsKey());
    raw.zcard(keys.dueProjectsKey());
  }

  private static long usedMemory(Jedis raw) {
    for (String line : raw.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new AssertionError("INFO memory has no used_memory");
  }

  private static Map<String, TestShape> firstVersions() {
    Map<String, TestShape> expected = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      expected.put("o" + i, shape("o" + i, 1));
    }
    return expected;
  }

  @Test
  void objectsHashDeleted_unsavedUpsertsAreReportedLostAndNeverSavedAsDeletes() {
    JsonFileCanvasRepository<TestShape> durable = JsonFileCanvasRepository.open(files, SHAPES);
    PersistentInstance a = savedThenChanged(durable);
    KeySchema keys = a.stores().config().keySchema();

    redis.jedis().del(keys.objectsKey("p"));
    String log;
    try (LogCapture capture = LogCapture.start()) {
      a.worker().runOnce();
      log = capture.text();
    }

    assertThat(durable.load("p")).containsExactlyInAnyOrderEntriesOf(firstVersions());
    assertThat(a.repository().applied()).allSatisfy(c -> assertThat(c.deletes()).isEmpty());
    assertThat(a.canvas().getAll("p")).as("read through from the repository again")
        .containsExactlyInAnyOrderEntriesOf(firstVersions());
    assertThat(a.backlog()).isZero();
    assertThat(a.persistence().stats().lostChanges()).isEqualTo(20);
    assertThat(events.lost).singleElement().satisfies(e -> {
      assertThat(e.projectId()).isEqualTo("p");
      assertThat(e.objectIds()).hasSize(20);
      assertThat(e.restored()).isEqualTo(20);
    });
    assertThat(log.lines().filter(l -> l.contains("lost 20 unsaved writes of project p")))
        .hasSize(1);
  }

  @Test
  void objectsHashEvictedByAllkeysLru_unsavedUpsertsAreNeverSavedAsDeletes() {
    JsonFileCanvasRepository<TestShape> durable = JsonFileCanvasRepository.open(files, SHAPES);
    PersistentInstance a = savedThenChanged(durable);
    KeySchema keys = a.stores().config().keySchema();
    String objects = keys.objectsKey("p");
    String dirty = keys.projectKey("p", "dirty");
    Jedis raw = redis.connect();
    long used = usedMemory(raw);
    // Redis' LRU clock ticks once a second: let the objects hash age while what records the
    // changes is used, so that LRU picks the objects hash, as it would a canvas nobody reads
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      touch(raw, keys);
      return raw.objectIdletime(objects) >= 2;
    });
    try {
      raw.configSet("maxmemory", Long.toString(used + 1_000_000));
      raw.configSet("maxmemory-policy", "allkeys-lru");
      // sample (nearly) every key, so that eviction follows LRU closely rather than by chance
      raw.configSet("maxmemory-samples", "64");
      String filler = "x".repeat(100_000);
      for (int i = 0; i < 2_000 && raw.exists(objects); i++) {
        touch(raw, keys);
        raw.set(keys.prefix() + "filler:" + i, filler);
      }
      assertThat(raw.exists(objects)).as("the objects hash was evicted").isFalse();
      assertThat(raw.exists(dirty)).as("its record of changes was not").isTrue();
    } finally {
      raw.configSet("maxmemory", "0");
      raw.configSet("maxmemory-policy", "noeviction");
      raw.configSet("maxmemory-samples", "5");
    }

    a.worker().runOnce();

    assertThat(durable.load("p")).containsExactlyInAnyOrderEntriesOf(firstVersions());
    assertThat(a.repository().applied()).allSatisfy(c -> assertThat(c.deletes()).isEmpty());
    assertThat(a.canvas().getAll("p")).containsExactlyInAnyOrderEntriesOf(firstVersions());
    assertThat(a.persistence().stats().lostChanges()).isEqualTo(20);
    assertThat(events.lost).singleElement().satisfies(e -> assertThat(e.restored()).isEqualTo(20));
  }

  @Test
  void flushdb_repositoryKeepsTheSavedCopyAndTheProjectReadsThroughAgain() {
    JsonFileCanvasRepository<TestShape> durable = JsonFileCanvasRepository.open(files, SHAPES);
    PersistentInstance a = savedThenChanged(durable);

    redis.jedis().flushDB();
    a.worker().runOnce();

    assertThat(durable.load("p")).containsExactlyInAnyOrderEntriesOf(firstVersions());
    assertThat(a.repository().applied()).allSatisfy(c -> assertThat(c.deletes()).isEmpty());
    assertThat(a.canvas().getAll("p")).containsExactlyInAnyOrderEntriesOf(firstVersions());
  }

  @Test
  void someObjectsDeletedAndOthersWrittenMeanwhile_lostOnesComeBackFromTheRepository() {
    JsonFileCanvasRepository<TestShape> durable = JsonFileCanvasRepository.open(files, SHAPES);
    PersistentInstance a = savedThenChanged(durable);
    KeySchema keys = a.stores().config().keySchema();

    assertThat(a.canvas().remove("p", "o0")).isTrue(); // a real delete, recorded as one
    redis.jedis().del(keys.objectsKey("p"));
    a.canvas().put("p", "new", shape("new", 3)); // the dirty hash keeps the project resident
    a.worker().runOnce();

    Map<String, TestShape> expected = firstVersions();
    expected.remove("o0");
    expected.put("new", shape("new", 3));
    assertThat(durable.load("p")).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(a.canvas().getAll("p")).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(a.repository().applied()).flatExtracting(ProjectChanges::deletes)
        .containsExactly("o0");
    assertThat(events.lost).singleElement().satisfies(e -> {
      assertThat(e.objectIds()).hasSize(19).doesNotContain("o0");
      assertThat(e.restored()).isEqualTo(19);
    });
    assertThat(a.backlog()).isZero();
  }

  @Test
  void allkeysEvictionPolicy_warnsOnceWhenStoresWithPersistenceAreBuilt() {
    String log = startupLog("allkeys-lru");

    assertThat(log.lines().filter(l -> l.contains("maxmemory-policy allkeys-lru"))).hasSize(1);
  }

  @Test
  void volatileEvictionPolicy_doesNotWarn() {
    String log = startupLog("volatile-lru");

    assertThat(log).doesNotContain("maxmemory-policy");
  }

  /** What building two stores with persistence on one {@link RedisStores} logs under a policy. */
  private String startupLog(String policy) {
    Jedis raw = redis.connect();
    raw.configSet("maxmemory-policy", policy);
    try (LogCapture capture = LogCapture.start()) {
      PersistentInstance a = instances.open("a", redis.configBuilder().build(),
          JsonFileCanvasRepository.open(files, SHAPES), PersistenceConfig.DEFAULT);
      a.stores().redisCanvas(SHAPES,
          Persistence.builder(JsonFileCanvasRepository.open(files, SHAPES)).build());
      return capture.text();
    } finally {
      raw.configSet("maxmemory-policy", "noeviction");
    }
  }
}
