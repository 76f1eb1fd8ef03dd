package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.KeySchema;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.RecordingPersistenceListener;
import io.canvasstate.contract.RecordingRepository.Gate;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.persistence.SaveFailedEvent;
import io.canvasstate.redis.testing.PersistenceScenario;
import io.canvasstate.redis.testing.PersistentInstance;
import io.canvasstate.redis.testing.PersistentInstances;
import io.canvasstate.redis.testing.RedisServerExtension;
import io.canvasstate.redis.testing.RoundTripCounter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

/**
 * Persistence on a real Redis: several instances (each its own {@link RedisStores},
 * {@link Persistence} and workers) sharing one Redis and one repository.
 */
class RedisPersistenceTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final JacksonCodec<TestShape> SHAPES = PersistentInstance.SHAPES;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path files;

  @RegisterExtension
  final PersistentInstances instances = new PersistentInstances();

  private PersistentInstance instance(String name, StoreConfig config,
      CanvasRepository<TestShape> durable, PersistenceConfig persistenceConfig) {
    return instances.open(name, config, durable, persistenceConfig);
  }

  private JsonFileCanvasRepository<TestShape> durable() {
    return JsonFileCanvasRepository.open(files, SHAPES);
  }

  private static TestShape shape(String id, int x) {
    return new TestShape(id, x, x);
  }

  private static PersistenceConfig.Builder settings() {
    return PersistenceConfig.builder().saveInterval(Duration.ofMillis(25));
  }

  // ---- the scenario of the issue ----

  /**
   * Run twice: with the write scripts listing their project among the dirty ones (a single
   * server), and with that pipelined after the write and the two-step forget (a Cluster).
   */
  @ParameterizedTest(name = "singleServer={0}")
  @ValueSource(booleans = {true, false})
  void twoInstances_10000WritesAcross50Projects_repositoryEqualsFinalStateAndNoChangeSavedTwice(
      boolean singleServer) {
    StoreConfig config = redis.configBuilder().build();
    JsonFileCanvasRepository<TestShape> durable = durable();
    BiFunction<RedisStores, Persistence<TestShape>, RedisCanvasStore<TestShape>> factory =
        (stores, p) -> stores.redisCanvas(SHAPES, p, singleServer);
    PersistentInstance a = instances.open("a", config, durable, settings().build(), factory);
    PersistentInstance b = instances.open("b", config, durable, settings().build(), factory);
    a.worker().start();
    b.worker().start();

    // 10,000 writes: two writers on each instance, 2,500 each
    PersistenceScenario.randomWrites(instances.threads(), List.of(a.canvas(), a.canvas(), b.canvas(), b.canvas()),
        2_500, 50, 20, WAIT);
    await().atMost(WAIT).until(() -> a.backlog() == 0);

    PersistenceScenario.assertRepositoryEqualsStore(durable, a.stores().canvas(SHAPES), 50);
    PersistenceScenario.assertEachChangeSavedOnce(List.of(a.repository(), b.repository()));
    assertThat(a.persistence().stats().saveFailures() + b.persistence().stats().saveFailures()).isZero();
    assertThat(a.repository().loads() + b.repository().loads())
        .as("each project was loaded (new) once, by one instance").isEqualTo(50);
  }

  @Test
  void workerKilledMidSave_otherInstanceCompletesTheSaveAfterTheLease() throws Exception {
    StoreConfig config = redis.configBuilder().build();
    JsonFileCanvasRepository<TestShape> durable = durable();
    Duration lease = Duration.ofSeconds(1);
    PersistentInstance a = instance("a", config, durable, settings().saveLease(lease).build());
    PersistentInstance b = instance("b", config, durable, settings().saveLease(lease).build());
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
  void dirtyProject_shortTtl_isNotExpiredBeforeItIsSaved() throws InterruptedException {
    Duration ttl = Duration.ofMillis(300);
    StoreConfig config = redis.configBuilder()
        .ttl(TtlPolicy.DEFAULT.withCanvasTtl(ttl)).build();
    KeySchema keys = config.keySchema();
    JsonFileCanvasRepository<TestShape> durable = durable();
    PersistentInstance a = instance("a", config, durable, settings().build());
    a.canvas().put("p", "a", shape("a", 1));
    Jedis raw = redis.jedis();

    assertThat(raw.pttl(keys.objectsKey("p"))).as("no TTL while dirty").isEqualTo(-1);
    Thread.sleep(ttl.multipliedBy(3).toMillis());
    assertThat(raw.hkeys(keys.objectsKey("p"))).as("still there after 3 TTLs").containsExactly("a");
    a.canvas().get("p", "a");
    assertThat(raw.pttl(keys.objectsKey("p"))).as("a read does not give it a TTL").isEqualTo(-1);

    a.worker().runOnce();

    assertThat(raw.pttl(keys.objectsKey("p"))).isBetween(1L, ttl.toMillis());
    await().atMost(WAIT).until(() -> !raw.exists(keys.objectsKey("p")));
    assertThat(a.canvas().getAll("p")).as("read through from the repository")
        .containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
  }

  @Test
  void coldLoad_eightConcurrentCallersOnTwoInstances_repositoryLoadedOnce() throws Exception {
    StoreConfig config = redis.configBuilder().build();
    JsonFileCanvasRepository<TestShape> durable = durable();
    durable.save(new ProjectChanges<>("p", 1, Map.of("a", shape("a", 1), "b", shape("b", 2)),
        Set.of()));
    PersistentInstance a = instance("a", config, durable, settings().build());
    PersistentInstance b = instance("b", config, durable, settings().build());
    Gate gateA = Gate.closed();
    Gate gateB = Gate.closed();
    a.repository().holdLoads(gateA);
    b.repository().holdLoads(gateB);

    List<Future<Map<String, TestShape>>> reads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      CanvasStore<TestShape> canvas = (i % 2 == 0 ? a : b).canvas();
      reads.add(instances.threads().submit(() -> canvas.getAll("p")));
    }
    await().atMost(WAIT).until(() -> a.repository().loads() + b.repository().loads() == 1
        && a.persistence().stats().loadWaits() + b.persistence().stats().loadWaits() >= 7);
    gateA.open();
    gateB.open();

    for (Future<Map<String, TestShape>> read : reads) {
      assertThat(read.get(1, TimeUnit.MINUTES)).containsExactlyInAnyOrderEntriesOf(
          Map.of("a", shape("a", 1), "b", shape("b", 2)));
    }
    assertThat(a.repository().loads() + b.repository().loads()).isEqualTo(1);
  }

  @Test
  void projectDeletedFromRedis_getAllReturnsTheRepositoryCopy() {
    StoreConfig config = redis.configBuilder().build();
    KeySchema keys = config.keySchema();
    PersistentInstance a = instance("a", config, durable(), settings().build());
    a.canvas().put("p", "a", shape("a", 1));
    a.canvas().put("p", "b", shape("b", 2));
    a.worker().runOnce();

    redis.jedis().del(keys.objectsKey("p"));

    assertThat(a.canvas().getAll("p")).containsExactlyInAnyOrderEntriesOf(
        Map.of("a", shape("a", 1), "b", shape("b", 2)));
    a.canvas().put("p", "c", shape("c", 3));
    assertThat(a.canvas().ids("p")).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void writeToColdProject_loadsItFirst_soRepositoryObjectsAreNotHidden() {
    StoreConfig config = redis.configBuilder().build();
    JsonFileCanvasRepository<TestShape> durable = durable();
    durable.save(new ProjectChanges<>("p", 1, Map.of("a", shape("a", 1)), Set.of()));
    PersistentInstance a = instance("a", config, durable, settings().build());

    a.canvas().put("p", "b", shape("b", 2));
    a.worker().runOnce();

    assertThat(a.canvas().getAll("p")).containsOnlyKeys("a", "b");
    assertThat(durable.load("p")).containsOnlyKeys("a", "b");
  }

  // ---- what it writes, and what it costs ----

  @Test
  void put_withPersistence_recordsTheChangeNextToTheObjectUntilSaved() {
    StoreConfig config = redis.configBuilder().build();
    KeySchema keys = config.keySchema();
    PersistentInstance a = instance("a", config, durable(), settings().build());
    Jedis raw = redis.jedis();

    a.canvas().put("p", "a", shape("a", 1));
    a.canvas().put("p", "b", shape("b", 1));
    a.canvas().remove("p", "b");

    Map<String, String> dirty = raw.hgetAll(keys.projectKey("p", "dirty"));
    assertThat(dirty).containsOnlyKeys("a", "b");
    assertThat(dirty.get("a")).as("an upsert").endsWith("u");
    assertThat(dirty.get("b")).as("a delete").endsWith("d");
    long a1 = Long.parseLong(dirty.get("a").substring(0, dirty.get("a").length() - 1));
    long b1 = Long.parseLong(dirty.get("b").substring(0, dirty.get("b").length() - 1));
    assertThat(b1).isGreaterThan(a1);
    assertThat(raw.hget(keys.projectKey("p", "persist"), "n")).isEqualTo(Long.toString(b1));
    assertThat(raw.zrange(keys.dirtyProjectsKey(), 0, -1)).containsExactly("p");
    assertThat(raw.zrange(keys.dueProjectsKey(), 0, -1)).containsExactly("p");
    assertThat(raw.pttl(keys.projectKey("p", "dirty"))).isEqualTo(-1);

    a.worker().runOnce();

    assertThat(raw.exists(keys.projectKey("p", "dirty"))).isFalse();
    assertThat(raw.zcard(keys.dirtyProjectsKey())).isZero();
    assertThat(raw.zcard(keys.dueProjectsKey())).isZero();
    assertThat(raw.pttl(keys.objectsKey("p"))).isPositive();
    assertThat(raw.pttl(keys.projectKey("p", "persist"))).isPositive();
  }

  @Test
  void dirtyHashOfTheWrongType_failsThatProjectOnlyAndIsReported() {
    StoreConfig config = redis.configBuilder().build();
    KeySchema keys = config.keySchema();
    RecordingPersistenceListener events = new RecordingPersistenceListener();
    PersistentInstance a = instance("a", config, durable(), settings().build());
    a.persistence().addListener(events);
    a.canvas().put("p", "a", shape("a", 1));
    a.canvas().put("q", "a", shape("a", 1));
    redis.jedis().del(keys.projectKey("p", "dirty"));
    redis.jedis().set(keys.projectKey("p", "dirty"), "a string where the hash belongs");

    AutoSaveWorker.Round round = a.worker().runOnce();

    assertThat(round.saved()).isEqualTo(1);
    assertThat(round.failed()).isEqualTo(1);
    assertThat(a.repository().applied()).extracting(ProjectChanges::projectId).containsExactly("q");
    assertThat(events.failed).singleElement().satisfies(e -> {
      assertThat(e.projectId()).isEqualTo("p");
      assertThat(e.reason()).isEqualTo(SaveFailedEvent.Reason.STORE_FAILED);
      assertThat(e.error()).contains("claim", "{p}", "WRONGTYPE");
    });
  }

  @Test
  void writes_withPersistence_publishTheirEventsAndRecordTheirChanges() {
    StoreConfig config = redis.configBuilder().build();
    KeySchema keys = config.keySchema();
    PersistentInstance a = instance("a", config, durable(), settings().build());
    a.canvas().put("p", "a", shape("a", 1)); // loads the new project before subscribing
    List<CanvasEvent<TestShape>> events = new CopyOnWriteArrayList<>();
    a.canvas().subscribe("p", events::add);

    a.canvas().put("p", "b", shape("b", 2));
    a.canvas().remove("p", "a");
    a.canvas().clear("p");

    await().atMost(WAIT).until(() -> events.size() == 3);
    assertThat(events).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Put", "Removed", "Cleared");
    assertThat(redis.jedis().hkeys(keys.projectKey("p", "dirty"))).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void storeWithoutPersistence_writesNoPersistenceKey() {
    StoreConfig config = redis.configBuilder().build();
    KeySchema keys = config.keySchema();
    try (RedisStores stores = RedisStores.create(config)) {
      RedisCanvasStore<TestShape> bare = stores.redisCanvas(SHAPES);

      bare.put("p", "a", shape("a", 1));
      bare.remove("p", "a");
      bare.put("p", "b", shape("b", 1));
      bare.getAll("q");

      assertThat(redis.jedis().keys(keys.prefix() + "*")).containsExactlyInAnyOrder(
          keys.objectsKey("p"), keys.activeProjectsKey());
    }
  }

  @Test
  void operations_withPersistence_remainOneRoundTrip() {
    try (RoundTripCounter counter = RoundTripCounter.start(redis)) {
      StoreConfig config = StoreConfig.builder().redisUrl(counter.url())
          .keyPrefix(redis.configBuilder().build().keySchema().prefix()).build();
      PersistentInstance a = instance("a", config, durable(), settings().build());
      // Each operation once first: the project is loaded, the scripts and the pool are warm;
      // "keep" keeps the hash, whose creation would cost a second round trip to mark it active.
      a.canvas().put("p", "keep", shape("k", 0));
      a.canvas().put("p", "a", shape("a", 0));
      a.canvas().get("p", "a");
      a.canvas().getAll("p");
      a.canvas().remove("p", "a");

      counter.reset();
      a.canvas().put("p", "a", shape("a", 1));
      long put = counter.roundTrips();
      counter.reset();
      a.canvas().get("p", "a");
      long get = counter.roundTrips();
      counter.reset();
      a.canvas().getAll("p");
      long getAll = counter.roundTrips();
      counter.reset();
      a.canvas().remove("p", "a");
      long remove = counter.roundTrips();

      assertThat(List.of(put, get, getAll, remove)).containsOnly(1L);
    }
  }

  @Test
  void saveCounts_oneSavePerProjectPerRound_withMetricsFromBothInstances() {
    StoreConfig config = redis.configBuilder().build();
    JsonFileCanvasRepository<TestShape> durable = durable();
    PersistentInstance a = instance("a", config, durable, settings().build());
    PersistentInstance b = instance("b", config, durable, settings().build());
    Map<String, Integer> perProject = new ConcurrentHashMap<>();
    for (int p = 0; p < 10; p++) {
      for (int o = 0; o < 5; o++) {
        (o % 2 == 0 ? a : b).canvas().put("p" + p, "o" + o, shape("o" + o, p));
      }
    }

    AutoSaveWorker.Round first = a.worker().runOnce();
    AutoSaveWorker.Round second = b.worker().runOnce();

    assertThat(first.saved()).isEqualTo(10);
    assertThat(first.savedObjects()).isEqualTo(50);
    assertThat(second.projects()).isZero();
    a.repository().applied().forEach(c -> perProject.merge(c.projectId(), 1, Integer::sum));
    assertThat(perProject).hasSize(10).allSatisfy((p, n) -> assertThat(n).isEqualTo(1));
    assertThat(a.persistence().stats().savedObjects()).isEqualTo(50);
    assertThat(a.persistence().stats().saves()).isEqualTo(10);
    assertThat(b.persistence().stats().savedObjects()).isZero();
    assertThat(b.persistence().stats().lag()).contains(Duration.ZERO);
  }
}
