package io.canvasstate.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasStore;
import io.canvasstate.CanvasTooLargeException;
import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.StoreConfig;
import io.canvasstate.inmemory.InMemoryCanvasRepository;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.redis.testing.RedisServerExtension;
import io.canvasstate.redis.testing.RoundTripCounter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Bulk operations in chunks, with a chunk size of 10 so that small canvases show it: how many
 * Redis calls they make, what each chunk holds, the events they publish, the canvas limit, and
 * a load from the repository that readers see whole or not at all.
 */
class RedisChunkingTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  static final int CHUNK = 10;
  static final int LIMIT = 50;

  private StoreConfig config;
  private KeySchema keys;
  private RedisStores stores;
  private RedisCanvasStore<String> canvas;
  private Jedis raw;

  @BeforeEach
  void setUp() {
    config = redis.configBuilder().chunkSize(CHUNK).maxCanvasObjects(LIMIT).build();
    keys = config.keySchema();
    stores = RedisStores.create(config);
    canvas = stores.redisCanvas(Codec.string());
    raw = redis.jedis();
  }

  @AfterEach
  void tearDown() {
    stores.close();
  }

  static Map<String, String> objects(String prefix, int n) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      out.put(prefix + i, "{\"n\":" + i + "}");
    }
    return out;
  }

  /**
   * Objects of 100 bytes: over Redis' {@code hash-max-listpack-value} (64), so the hash is a
   * real hash table, which {@code HSCAN} walks in pieces (a small listpack comes whole).
   */
  static Map<String, String> largeObjects(String prefix, int n) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      out.put(prefix + i, "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(80) + "\"}");
    }
    return out;
  }

  @Test
  void putAll_threeChunksWorth_writesEveryObjectInOneRoundTripPerChunk() {
    try (RoundTripCounter counter = RoundTripCounter.start(redis);
        RedisStores counted = RedisStores.create(config.toBuilder().redisUrl(counter.url()).build())) {
      CanvasStore<String> store = counted.redisCanvas(Codec.string());
      store.put("p", "warm-up", "{}");
      counter.reset();

      store.putAll("p", objects("o", 25));

      assertThat(counter.roundTrips()).isEqualTo(3);
    }
    assertThat(raw.hlen(keys.objectsKey("p"))).isEqualTo(26);
    assertThat(raw.pttl(keys.objectsKey("p"))).isPositive();
  }

  @Test
  void putAll_manyChunks_publishesOnePutPerObjectInOrder() {
    List<CanvasEvent<String>> events = new CopyOnWriteArrayList<>();
    canvas.subscribe("p", events::add);
    Map<String, String> batch = objects("o", 25);

    canvas.putAll("p", batch);

    await().atMost(10, SECONDS).until(() -> events.size() >= 25);
    assertThat(events).allSatisfy(e -> assertThat(e).isInstanceOf(CanvasEvent.Put.class));
    assertThat(events.stream().map(e -> ((CanvasEvent.Put<String>) e).objectId()).toList())
        .containsExactlyElementsOf(batch.keySet());
  }

  @Test
  void putAll_chunkBytes_limitWhatOneCallCarries() {
    try (RoundTripCounter counter = RoundTripCounter.start(redis);
        RedisStores counted = RedisStores.create(config.toBuilder().redisUrl(counter.url())
            .chunkSize(1_000).chunkBytes(100).build())) {
      CanvasStore<String> store = counted.redisCanvas(Codec.string());
      store.put("p", "warm-up", "{}");
      counter.reset();
      Map<String, String> big = new LinkedHashMap<>();
      for (int i = 0; i < 4; i++) {
        big.put("o" + i, "\"" + "x".repeat(60) + "\"");
      }

      store.putAll("p", big);

      assertThat(counter.roundTrips()).as("one 64-byte value per call").isEqualTo(4);
    }
    assertThat(raw.hlen(keys.objectsKey("p"))).isEqualTo(5);
  }

  @Test
  void getAll_canvasOfOneChunk_isOneRoundTrip_biggerCanvas_readsInPieces() {
    canvas.putAll("small", largeObjects("o", CHUNK));
    canvas.putAll("big", largeObjects("o", 45));
    try (RoundTripCounter counter = RoundTripCounter.start(redis);
        RedisStores counted = RedisStores.create(config.toBuilder().redisUrl(counter.url()).build())) {
      CanvasStore<String> store = counted.redisCanvas(Codec.string());
      store.getAll("small");
      store.getAll("big");

      counter.reset();
      Map<String, String> small = store.getAll("small");
      long smallTrips = counter.roundTrips();
      counter.reset();
      Map<String, String> big = store.getAll("big");
      long bigTrips = counter.roundTrips();

      assertThat(small).isEqualTo(largeObjects("o", CHUNK));
      assertThat(smallTrips).isEqualTo(1);
      assertThat(big).isEqualTo(largeObjects("o", 45));
      assertThat(bigTrips).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void clear_bigCanvas_emptiesItAtOnceAndKeepsWritesAfterIt() {
    canvas.putAll("p", objects("o", 45));
    List<CanvasEvent<String>> events = new CopyOnWriteArrayList<>();
    canvas.subscribe("p", events::add);

    canvas.clear("p");
    canvas.put("p", "after", "{}");

    assertThat(canvas.getAll("p")).containsOnlyKeys("after");
    await().atMost(10, SECONDS).until(() -> events.size() >= 2);
    assertThat(events.get(0)).isInstanceOf(CanvasEvent.Cleared.class);
    assertThat(events.get(1)).isInstanceOf(CanvasEvent.Put.class);
  }

  @Test
  void put_canvasAtTheLimit_newObjectRefusedNamingProjectAndLimit_updatesStillWork() {
    canvas.putAll("p", objects("o", LIMIT));

    assertThatThrownBy(() -> canvas.put("p", "one-more", "{}"))
        .isInstanceOf(CanvasTooLargeException.class)
        .hasMessageContaining("\"p\"").hasMessageContaining(String.valueOf(LIMIT))
        .hasMessageContaining("CANVASSTATE_MAX_CANVAS_OBJECTS")
        .satisfies(e -> assertThat(((CanvasTooLargeException) e).limit()).isEqualTo(LIMIT));
    assertThatThrownBy(() -> canvas.putIfAbsent("p", "one-more", "{}"))
        .isInstanceOf(CanvasTooLargeException.class);
    assertThatThrownBy(() -> canvas.getAndPut("p", "one-more", "{}"))
        .isInstanceOf(CanvasTooLargeException.class);
    canvas.put("p", "o1", "{\"updated\":true}");
    canvas.putAll("p", objects("o", 15));

    assertThat(raw.hlen(keys.objectsKey("p"))).isEqualTo(LIMIT);
    assertThat(raw.hexists(keys.objectsKey("p"), "one-more")).isFalse();
  }

  @Test
  void putAll_crossingTheLimit_refusesTheChunkThatWouldCrossIt() {
    canvas.putAll("p", objects("a", 45));

    assertThatThrownBy(() -> canvas.putAll("p", objects("b", 20)))
        .isInstanceOf(CanvasTooLargeException.class).hasMessageContaining("\"p\"");

    // The first chunk (b0..b4 fit, b5..b9 do not) was refused as a whole.
    assertThat(raw.hlen(keys.objectsKey("p"))).isEqualTo(45);
    assertThatThrownBy(() -> canvas.putAll("q", objects("c", LIMIT + 1)))
        .isInstanceOf(CanvasTooLargeException.class);
    assertThat(raw.exists(keys.objectsKey("q"))).isFalse();
  }

  /** A repository holding one project of {@code n} objects; saves are accepted and dropped. */
  static CanvasRepository<String> repositoryOf(String projectId, Map<String, String> objects) {
    return new CanvasRepository<>() {
      @Override
      public Map<String, String> load(String id) {
        return id.equals(projectId) ? objects : Map.of();
      }

      @Override
      public boolean save(ProjectChanges<String> changes) {
        return true;
      }
    };
  }

  @Test
  void readThrough_loadOfSeveralChunks_isSeenWholeAndLeavesNoStagingKey() {
    Map<String, String> stored = objects("o", 35);
    Persistence<String> persistence =
        Persistence.builder(repositoryOf("cold", stored)).build();
    RedisCanvasStore<String> persistent = stores.redisCanvas(Codec.string(), persistence);

    assertThat(persistent.getAll("cold")).isEqualTo(stored);
    assertThat(raw.exists(keys.projectKey("cold", "loading"))).isFalse();
    assertThat(raw.exists(keys.projectKey("cold", "load"))).isFalse();
    assertThat(raw.pttl(keys.objectsKey("cold"))).isPositive();
  }

  @Test
  void putAll_severalChunksWithPersistence_everyObjectIsSaved() {
    InMemoryCanvasRepository<String> durable = InMemoryCanvasRepository.create(Codec.string());
    Persistence<String> persistence = Persistence.builder(durable).build();
    RedisCanvasStore<String> persistent = stores.redisCanvas(Codec.string(), persistence);
    Map<String, String> batch = objects("o", 35);

    persistent.putAll("saved", batch);
    try (AutoSaveWorker worker = persistence.worker()) {
      assertThat(worker.flush(java.time.Duration.ofSeconds(30))).isTrue();
    }

    assertThat(durable.load("saved")).isEqualTo(batch);
  }

  @Test
  void clear_severalChunksWithPersistence_removedPerChunkThenCleared_nothingLeftAndDeletesSaved() {
    InMemoryCanvasRepository<String> durable = InMemoryCanvasRepository.create(Codec.string());
    Persistence<String> persistence = Persistence.builder(durable).build();
    RedisCanvasStore<String> persistent = stores.redisCanvas(Codec.string(), persistence);
    persistent.putAll("saved", largeObjects("o", 35));
    try (AutoSaveWorker worker = persistence.worker()) {
      assertThat(worker.flush(java.time.Duration.ofSeconds(30))).isTrue();
    }
    assertThat(durable.load("saved")).hasSize(35);
    List<CanvasEvent<String>> events = new CopyOnWriteArrayList<>();
    persistent.subscribe("saved", events::add);

    persistent.clear("saved");

    assertThat(raw.exists(keys.objectsKey("saved"))).isFalse();
    assertThat(raw.hvals(keys.projectKey("saved", "dirty")))
        .hasSize(35).allSatisfy(v -> assertThat(v).endsWith("d"));
    assertThat(raw.zscore(keys.activeProjectsKey(), "saved")).isNull();
    // Chunks of 10 while more than 10 are left: 35 -> 25 -> 15 -> 5, then the clear of the 5.
    await().atMost(10, SECONDS).until(() -> events.size() >= 31);
    assertThat(events.subList(0, 30)).allSatisfy(e -> assertThat(e)
        .isInstanceOf(CanvasEvent.Removed.class));
    assertThat(events.get(30)).isInstanceOf(CanvasEvent.Cleared.class);
    try (AutoSaveWorker worker = persistence.worker()) {
      assertThat(worker.flush(java.time.Duration.ofSeconds(30))).isTrue();
    }
    assertThat(durable.load("saved")).isEmpty();
    assertThat(raw.exists(keys.objectsKey("saved"), keys.projectKey("saved", "dirty")))
        .isZero();
    assertThat(persistent.getAll("saved")).isEmpty();
  }

  @Test
  void clear_oneChunkWithPersistence_isOneClearedEventAndRecordsEveryDelete() {
    Persistence<String> persistence = Persistence.builder(repositoryOf("x", Map.of())).build();
    RedisCanvasStore<String> persistent = stores.redisCanvas(Codec.string(), persistence);
    persistent.putAll("small", objects("o", CHUNK));
    List<CanvasEvent<String>> events = new CopyOnWriteArrayList<>();
    persistent.subscribe("small", events::add);

    persistent.clear("small");
    persistent.put("small", "after", "{}");

    await().atMost(10, SECONDS).until(() -> events.size() >= 2);
    assertThat(events.get(0)).isInstanceOf(CanvasEvent.Cleared.class);
    assertThat(events.get(1)).isInstanceOf(CanvasEvent.Put.class);
    assertThat(raw.hkeys(keys.projectKey("small", "dirty"))).hasSize(CHUNK + 1);
    assertThat(persistent.getAll("small")).containsOnlyKeys("after");
  }

  @Test
  void readThrough_projectOverTheLimit_isRefusedAndNothingIsStored() {
    Persistence<String> persistence =
        Persistence.builder(repositoryOf("huge", objects("o", LIMIT + 1))).build();
    RedisCanvasStore<String> persistent = stores.redisCanvas(Codec.string(), persistence);

    assertThatThrownBy(() -> persistent.get("huge", "o1"))
        .isInstanceOf(CanvasTooLargeException.class).hasMessageContaining("\"huge\"")
        .hasMessageContaining(String.valueOf(LIMIT));
    assertThat(raw.exists(keys.objectsKey("huge"), keys.projectKey("huge", "loading"),
        keys.projectKey("huge", "load"))).isZero();
  }

  @Test
  void failoverStore_redisDown_fallbackRefusesTheSameWrites() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    StoreConfig down = config.toBuilder().redisUrl("redis://127.0.0.1:" + closedPort)
        .connectTimeout(java.time.Duration.ofMillis(200)).timeout(java.time.Duration.ofMillis(200))
        .maxCanvasObjects(2).build();
    try (RedisStores offline = RedisStores.create(down)) {
      CanvasStore<String> store = offline.canvas(Codec.string());
      store.putAll("p", objects("o", 2));

      assertThatThrownBy(() -> store.put("p", "o2", "{}"))
          .isInstanceOf(CanvasTooLargeException.class).hasMessageContaining("2");
      assertThat(store.count("p")).isEqualTo(2);
    }
  }

  @Test
  void chunks_splitsByCountAndBytes_alwaysAtLeastOnePair() {
    List<byte[]> pairs = List.of(new byte[1], new byte[5], new byte[1], new byte[5],
        new byte[1], new byte[50], new byte[1], new byte[1]);

    assertThat(RedisBytes.chunks(pairs, 2, 1_000)).extracting(List::size)
        .containsExactly(4, 4);
    assertThat(RedisBytes.chunks(pairs, 10, 12)).extracting(List::size)
        .containsExactly(4, 2, 2);
  }
}
