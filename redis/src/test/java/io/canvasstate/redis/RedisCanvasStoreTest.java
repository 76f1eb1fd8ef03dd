package io.canvasstate.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.JacksonCodec;
import io.canvasstate.KeySchema;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.TtlPolicy;
import io.canvasstate.redis.testing.RedisServerExtension;
import io.canvasstate.redis.testing.RoundTripCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;

/** What the Redis canvas store does in Redis itself: keys, TTLs, round trips, bad data. */
class RedisCanvasStoreTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  /** A canvas object. */
  record Shape(String type, int x, int y) {}

  static final Codec<Shape> CODEC = JacksonCodec.of(Shape.class);
  static final Shape RECT = new Shape("rect", 1, 2);
  static final String RECT_JSON = "{\"type\":\"rect\",\"x\":1,\"y\":2}";

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = now::get;
  private StoreConfig config;
  private KeySchema keys;
  private RedisStores stores;
  private RedisCanvasStore<Shape> canvas;
  private Jedis raw;

  @BeforeEach
  void setUp() {
    config = redis.configBuilder().build();
    keys = config.keySchema();
    stores = RedisStores.create(config, clock);
    canvas = stores.redisCanvas(CODEC);
    raw = redis.jedis();
  }

  @AfterEach
  void tearDown() {
    stores.close();
  }

  @Test
  void put_newObject_storesPlainJsonInTheProjectHash() {
    canvas.put("p1", "o1", RECT);

    String key = keys.objectsKey("p1");
    assertThat(key).isEqualTo(keys.prefix() + "canvas:{p1}:objects");
    assertThat(raw.type(key)).isEqualTo("hash");
    assertThat(raw.hget(key, "o1")).isEqualTo(RECT_JSON);
    assertThat(raw.type(keys.activeProjectsKey())).isEqualTo("zset");
    assertThat(raw.zscore(keys.activeProjectsKey(), "p1")).isNotNull();
  }

  @Test
  void get_jsonWrittenByAnotherClient_isDecoded() {
    raw.hset(keys.objectsKey("p1"), "o1", "{ \"y\": 6, \"type\": \"circle\", \"x\": 5 }");

    assertThat(canvas.get("p1", "o1")).contains(new Shape("circle", 5, 6));
    assertThat(canvas.getAll("p1")).containsExactly(Map.entry("o1", new Shape("circle", 5, 6)));
  }

  @Test
  void replaceAndRemove_expectedValueStoredWithOtherSpacing_matchTheStoredValue() {
    String key = keys.objectsKey("p1");
    raw.hset(key, "o1", "{ \"y\": 6, \"type\": \"circle\", \"x\": 5 }");
    raw.hset(key, "o2", "{\"x\":1, \"y\":2, \"type\":\"rect\"}");

    assertThat(canvas.replace("p1", "o1", new Shape("circle", 5, 6), new Shape("circle", 7, 8)))
        .isTrue();
    assertThat(raw.hget(key, "o1")).isEqualTo("{\"type\":\"circle\",\"x\":7,\"y\":8}");
    assertThat(canvas.remove("p1", "o2", RECT)).isTrue();
    assertThat(raw.hexists(key, "o2")).isFalse();
    assertThat(canvas.replace("p1", "o1", RECT, new Shape("x", 0, 0))).isFalse();
  }

  @Test
  void asMapCompute_valueWrittenByHandWithOtherSpacing_terminatesAndStoresTheResult() {
    raw.hset(keys.objectsKey("p1"), "o1", "{ \"type\": \"rect\", \"x\": 1, \"y\": 2 }");

    Shape moved = canvas.asMap("p1").compute("o1", (id, s) -> new Shape(s.type(), s.x() + 10, s.y()));

    assertThat(moved).isEqualTo(new Shape("rect", 11, 2));
    assertThat(raw.hget(keys.objectsKey("p1"), "o1")).isEqualTo("{\"type\":\"rect\",\"x\":11,\"y\":2}");
  }

  @Test
  void put_anyWrite_setsTheCanvasTtlOnTheWholeHash() {
    canvas.put("p1", "o1", RECT);

    long ttl = TtlPolicy.DEFAULT_CANVAS_TTL.toMillis();
    assertThat(raw.pttl(keys.objectsKey("p1"))).isBetween(ttl - 60_000, ttl);
  }

  /** Every operation on a project, each of which must slide its lifetime. */
  static Stream<Named<Consumer<RedisCanvasStore<Shape>>>> projectOperations() {
    return Stream.of(
        Named.of("get", s -> s.get("p1", "o1")),
        Named.of("get of a missing object", s -> s.get("p1", "nope")),
        Named.of("put", s -> s.put("p1", "o2", RECT)),
        Named.of("putAll", s -> s.putAll("p1", Map.of("o2", RECT, "o3", RECT))),
        Named.of("remove", s -> s.remove("p1", "o1")),
        Named.of("getAll", s -> s.getAll("p1")),
        Named.of("ids", s -> s.ids("p1")),
        Named.of("count", s -> s.count("p1")),
        Named.of("putIfAbsent", s -> s.putIfAbsent("p1", "o1", RECT)),
        Named.of("getAndPut", s -> s.getAndPut("p1", "o1", RECT)),
        Named.of("getAndRemove", s -> s.getAndRemove("p1", "o1")),
        Named.of("replace", s -> s.replace("p1", "o1", RECT)),
        Named.of("replace(k, expected, v)", s -> s.replace("p1", "o1", RECT, RECT)),
        Named.of("remove(k, expected)", s -> s.remove("p1", "o1", new Shape("no", 0, 0))));
  }

  @ParameterizedTest
  @MethodSource("projectOperations")
  void operation_existingProject_slidesItsTtl(Consumer<RedisCanvasStore<Shape>> operation) {
    canvas.put("p1", "o1", RECT);
    canvas.put("p1", "keep", RECT); // so that removing o1 leaves the hash in place
    String key = keys.objectsKey("p1");
    raw.pexpire(key, 5_000);

    operation.accept(canvas);

    assertThat(raw.pttl(key)).isGreaterThan(TtlPolicy.DEFAULT_CANVAS_TTL.toMillis() - 60_000);
  }

  /** The reads, which slide the TTL at most once per slide interval. */
  static Stream<Named<Consumer<RedisCanvasStore<Shape>>>> reads() {
    return Stream.of(
        Named.of("get", s -> s.get("p1", "o1")),
        Named.of("get of a missing object", s -> s.get("p1", "nope")),
        Named.of("getAll", s -> s.getAll("p1")),
        Named.of("ids", s -> s.ids("p1")),
        Named.of("count", s -> s.count("p1")));
  }

  @ParameterizedTest
  @MethodSource("reads")
  void read_withinTheSlideInterval_leavesTheTtlUntilTheIntervalElapses(
      Consumer<RedisCanvasStore<Shape>> read) {
    canvas.put("p1", "o1", RECT);
    read.accept(canvas); // slides, and starts the interval
    String key = keys.objectsKey("p1");
    raw.pexpire(key, 5_000);

    read.accept(canvas);
    assertThat(raw.pttl(key)).as("within the interval").isBetween(1L, 5_000L);

    now.set(now.get().plus(RedisCanvasStore.slideInterval(TtlPolicy.DEFAULT_CANVAS_TTL)));
    read.accept(canvas);
    assertThat(raw.pttl(key)).as("due again")
        .isGreaterThan(TtlPolicy.DEFAULT_CANVAS_TTL.toMillis() - 60_000);
  }

  @Test
  void get_withinTheSlideInterval_isOnePlainHget() {
    canvas.put("p1", "o1", RECT);
    canvas.get("p1", "o1");
    raw.configResetStat();

    assertThat(canvas.get("p1", "o1")).contains(RECT);

    String stats = raw.info("commandstats");
    assertThat(stats).contains("cmdstat_hget:calls=1,").doesNotContain("cmdstat_evalsha");
  }

  @Test
  void get_afterAGetThatMarkedTheProjectActive_isOnePlainHget() {
    raw.hset(keys.objectsKey("p1"), "o1", RECT_JSON); // written by another client: not marked
    canvas.get("p1", "o1"); // marks the project, and slides its TTL in the same script
    raw.configResetStat();

    assertThat(canvas.get("p1", "o1")).contains(RECT);

    assertThat(raw.info("commandstats")).contains("cmdstat_hget:calls=1,")
        .doesNotContain("cmdstat_evalsha");
  }

  @Test
  void get_withinTheSlideIntervalOfAKeyNowOfAnotherType_failsNamingTheKeyAndLeavesIt() {
    canvas.put("p1", "o1", RECT);
    canvas.get("p1", "o1");
    String key = keys.objectsKey("p1");
    raw.del(key);
    raw.set(key, "not a hash");

    assertThatThrownBy(() -> canvas.get("p1", "o1"))
        .isInstanceOf(StoreException.class)
        .isNotInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(key)
        .hasMessageContaining("WRONGTYPE");
    assertThat(raw.get(key)).isEqualTo("not a hash");
    assertThat(raw.pttl(key)).isEqualTo(-1);
  }

  @Test
  void slideInterval_isAHundredthOfTheCanvasTtl_atMostASecond_atLeastAMillisecond() {
    assertThat(RedisCanvasStore.slideInterval(Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(RedisCanvasStore.slideInterval(Duration.ofMillis(1_500)))
        .isEqualTo(Duration.ofMillis(15));
    assertThat(RedisCanvasStore.slideInterval(Duration.ofMillis(50))).isEqualTo(Duration.ofMillis(1));
  }

  @ParameterizedTest
  @MethodSource("projectOperations")
  void operation_anyProject_isOneRoundTrip(Consumer<RedisCanvasStore<Shape>> operation) {
    try (RoundTripCounter counter = RoundTripCounter.start(redis);
        RedisStores viaProxy = RedisStores.create(config.toBuilder().redisUrl(counter.url()).build(), clock)) {
      RedisCanvasStore<Shape> store = viaProxy.redisCanvas(CODEC);
      store.put("p1", "o1", RECT);
      store.put("p1", "keep", RECT);
      operation.accept(store); // the server has loaded the scripts: no NOSCRIPT retry below
      store.put("p1", "o1", RECT);

      counter.reset();
      operation.accept(store);
      assertThat(counter.roundTrips()).as("with the active mark throttled").isEqualTo(1);

      now.set(now.get().plus(Duration.ofHours(1)));
      counter.reset();
      operation.accept(store);
      assertThat(counter.roundTrips()).as("with the active mark due").isEqualTo(1);
    }
  }

  @Test
  void clear_anyProject_isOneRoundTrip() {
    try (RoundTripCounter counter = RoundTripCounter.start(redis);
        RedisStores viaProxy = RedisStores.create(config.toBuilder().redisUrl(counter.url()).build(), clock)) {
      RedisCanvasStore<Shape> store = viaProxy.redisCanvas(CODEC);
      store.clear("p1"); // the server has loaded the script: no NOSCRIPT retry below
      store.put("p1", "o1", RECT);

      counter.reset();
      store.clear("p1");

      assertThat(counter.roundTrips()).isEqualTo(1);
      assertThat(raw.exists(keys.objectsKey("p1"))).isFalse();
    }
  }

  @Test
  void activeMark_withinTheThrottleInterval_isNotRefreshedUntilItElapses() {
    canvas.put("p1", "o1", RECT);
    raw.zrem(keys.activeProjectsKey(), "p1"); // as if it had never been marked

    canvas.put("p1", "o2", RECT);
    canvas.get("p1", "o1");
    assertThat(raw.zscore(keys.activeProjectsKey(), "p1")).as("throttled").isNull();

    now.set(now.get().plus(TtlPolicy.DEFAULT_CANVAS_TTL.dividedBy(10)));
    canvas.get("p1", "o1");
    assertThat(raw.zscore(keys.activeProjectsKey(), "p1")).as("due again").isNotNull();
  }

  @Test
  void activeMark_score_isRedisTimePlusTtlPlusTheThrottleSlack() {
    canvas.put("p1", "o1", RECT);

    long redisNow = Long.parseLong(raw.time().get(0)) * 1000;
    long ttl = TtlPolicy.DEFAULT_CANVAS_TTL.toMillis();
    assertThat(raw.zscore(keys.activeProjectsKey(), "p1").longValue())
        .isBetween(redisNow + ttl + ttl / 10 - 60_000, redisNow + ttl + ttl / 10 + 1_000);
  }

  @Test
  void put_projectClearedByAnotherInstanceWithinTheThrottle_isMarkedActiveAgain() {
    canvas.put("p1", "o1", RECT);
    try (RedisStores other = RedisStores.create(config)) {
      other.redisCanvas(CODEC).clear("p1");
    }
    assertThat(canvas.activeProjects()).doesNotContain("p1");

    canvas.put("p1", "o1", RECT);

    assertThat(canvas.activeProjects()).contains("p1");
  }

  @Test
  void activeProjects_marksWhoseDataIsGone_areNeitherReportedNorKept() {
    canvas.put("live", "o1", RECT);
    canvas.put("cleared", "o1", RECT);
    canvas.put("emptied", "o1", RECT);
    canvas.put("deletedByHand", "o1", RECT);
    canvas.get("neverExisted", "o1");
    canvas.clear("cleared");
    canvas.remove("emptied", "o1");
    raw.del(keys.objectsKey("deletedByHand"));
    raw.zadd(keys.activeProjectsKey(), 1_000, "expiredMark");

    assertThat(canvas.activeProjects()).containsExactly("live");
    assertThat(raw.zrange(keys.activeProjectsKey(), 0, -1)).containsExactly("live");
  }

  @Test
  void activeProjects_projectWhoseHashExpired_isNotReported() {
    try (RedisStores shortLived = RedisStores.create(
        config.toBuilder().ttl(TtlPolicy.DEFAULT.withCanvasTtl(Duration.ofMillis(300))).build())) {
      RedisCanvasStore<Shape> store = shortLived.redisCanvas(CODEC);
      store.put("brief", "o1", RECT);
      assertThat(store.activeProjects()).containsExactly("brief");

      await().atMost(10, SECONDS).untilAsserted(() -> assertThat(store.activeProjects()).isEmpty());
      assertThat(raw.exists(keys.objectsKey("brief"))).isFalse();
    }
  }

  @Test
  void afterScriptFlush_everyOperation_reloadsItsScriptsAndWorks() {
    canvas.put("p1", "o1", RECT);
    raw.scriptFlush();

    canvas.put("p1", "o2", RECT);
    assertThat(canvas.get("p1", "o1")).contains(RECT);
    assertThat(canvas.getAll("p1")).containsOnlyKeys("o1", "o2");
    assertThat(canvas.replace("p1", "o1", RECT, new Shape("moved", 3, 4))).isTrue();
    assertThat(canvas.activeProjects()).containsExactly("p1");
    assertThat(raw.scriptExists(new String(Scripts.GET.sha(), java.nio.charset.StandardCharsets.US_ASCII)))
        .as("EVAL loaded it again").isTrue();
  }

  @Test
  void afterScriptFlush_writeWhoseMarkScriptIsMissing_runsOnlyOnce() {
    raw.scriptFlush();
    raw.scriptLoad(new String(Scripts.PUT_IF_ABSENT.body(), java.nio.charset.StandardCharsets.UTF_8));

    assertThat(canvas.putIfAbsent("p1", "o1", RECT)).as("stored, not seen as already there").isEmpty();

    assertThat(raw.hget(keys.objectsKey("p1"), "o1")).isEqualTo(RECT_JSON);
    assertThat(raw.zscore(keys.activeProjectsKey(), "p1")).as("the mark was replayed").isNotNull();
  }

  @ParameterizedTest
  @MethodSource("projectOperations")
  void operation_projectKeyOfAnotherType_failsNamingTheKeyAndLeavesIt(
      Consumer<RedisCanvasStore<Shape>> operation) {
    String key = keys.objectsKey("p1");
    raw.set(key, "not a hash");
    canvas.put("other", "o1", RECT);

    assertThatThrownBy(() -> operation.accept(canvas))
        .isInstanceOf(StoreException.class)
        .isNotInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(key)
        .hasMessageContaining("WRONGTYPE");

    assertThat(raw.get(key)).isEqualTo("not a hash");
    assertThat(raw.pttl(key)).as("no TTL set on a foreign key").isEqualTo(-1);
    assertThat(canvas.get("other", "o1")).contains(RECT);
  }

  @Test
  void clear_projectKeyOfAnotherType_failsAndLeavesIt() {
    String key = keys.objectsKey("p1");
    raw.set(key, "not a hash");

    assertThatThrownBy(() -> canvas.clear("p1"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(key)
        .hasMessageContaining("holds a string");
    assertThat(raw.get(key)).isEqualTo("not a hash");
  }

  @Test
  void activeProjects_markKeyOfAnotherType_failsNamingTheKey() {
    raw.set(keys.activeProjectsKey(), "not a zset");

    assertThatThrownBy(() -> canvas.activeProjects())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(keys.activeProjectsKey());
    assertThat(raw.get(keys.activeProjectsKey())).isEqualTo("not a zset");
  }

  @Test
  void undecodableValue_getFailsNamingTheKeyAndGetAllLeavesItOut() {
    String key = keys.objectsKey("p1");
    canvas.put("p1", "good", RECT);
    raw.hset(key, "bad", "{not json");

    assertThatThrownBy(() -> canvas.get("p1", "bad"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(key)
        .hasMessageContaining("bad");
    assertThat(canvas.getAll("p1")).containsExactly(Map.entry("good", RECT));
    assertThat(canvas.undecodableValues()).isEqualTo(1);
    assertThat(canvas.ids("p1")).containsExactlyInAnyOrder("good", "bad");
    assertThat(raw.hget(key, "bad")).as("left as it was").isEqualTo("{not json");
  }

  @Test
  void putAll_manyObjects_storesThemAllInOneScriptCall() {
    Map<String, Shape> many = new HashMap<>();
    for (int i = 0; i < 1_500; i++) {
      many.put("o" + i, new Shape("dot", i, -i));
    }

    canvas.putAll("p1", many);

    assertThat(canvas.count("p1")).isEqualTo(1_500);
    assertThat(canvas.getAll("p1")).isEqualTo(many);
    assertThat(raw.hget(keys.objectsKey("p1"), "o1499")).isEqualTo("{\"type\":\"dot\",\"x\":1499,\"y\":-1499}");
  }

  @Test
  void putAll_oneValueOverTheLimit_writesNothing() {
    try (RedisStores small = RedisStores.create(config.toBuilder().maxValueBytes(40).build())) {
      RedisCanvasStore<Shape> store = small.redisCanvas(CODEC);

      assertThatThrownBy(() -> store.putAll("p1", Map.of(
          "ok", RECT, "big", new Shape("a very long type name indeed", 1, 2))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("big");
      assertThat(raw.exists(keys.objectsKey("p1"))).isFalse();
    }
  }

  @Test
  void keyPrefix_twoPrefixes_neverSeeEachOthersProjects() {
    try (RedisStores otherApp = RedisStores.create(redis.configBuilder().build())) {
      RedisCanvasStore<Shape> other = otherApp.redisCanvas(CODEC);
      canvas.put("shared-name", "o1", RECT);

      assertThat(other.get("shared-name", "o1")).isEmpty();
      assertThat(other.activeProjects()).isEmpty();
      assertThat(canvas.activeProjects()).containsExactly("shared-name");
    }
  }

  @Test
  void close_store_rejectsCallsButLeavesTheSharedPoolOpen() {
    RedisCanvasStore<Shape> second = stores.redisCanvas(CODEC);
    second.close();

    assertThatThrownBy(() -> second.get("p1", "o1")).isInstanceOf(IllegalStateException.class);
    canvas.put("p1", "o1", RECT);
    assertThat(canvas.get("p1", "o1")).contains(RECT);
    assertThat(List.of(second.toString(), canvas.toString())).allSatisfy(
        s -> assertThat(s).startsWith("RedisCanvasStore["));
  }
}
