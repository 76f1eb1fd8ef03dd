package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Map;
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

/** What the Redis presence store does in Redis itself: keys, expiry, round trips, bad data. */
class RedisPresenceStoreTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  /** A user's cursor. */
  record Cursor(String name, int x, int y) {}

  static final Codec<Cursor> CODEC = JacksonCodec.of(Cursor.class);
  static final Cursor ALICE = new Cursor("Alice", 10, 20);
  static final long TTL = TtlPolicy.DEFAULT_PRESENCE_TTL.toMillis();

  private StoreConfig config;
  private KeySchema keys;
  private RedisStores stores;
  private RedisPresenceStore<Cursor> presence;
  private Jedis raw;

  @BeforeEach
  void setUp() {
    config = redis.configBuilder().build();
    keys = config.keySchema();
    stores = RedisStores.create(config);
    presence = stores.redisPresence(CODEC);
    raw = redis.jedis();
  }

  @AfterEach
  void tearDown() {
    stores.close();
  }

  private long redisNowMillis() {
    return Long.parseLong(raw.time().get(0)) * 1000;
  }

  @Test
  void put_heartbeat_writesJsonAndExpiryScoreWithTheTtlOnBothKeys() {
    presence.put("alice", ALICE);

    assertThat(keys.presenceKey()).isEqualTo(keys.prefix() + "presence:{users}");
    assertThat(raw.hget(keys.presenceKey(), "alice")).isEqualTo("{\"name\":\"Alice\",\"x\":10,\"y\":20}");
    long now = redisNowMillis();
    assertThat(raw.zscore(keys.activeUsersKey(), "alice").longValue())
        .isBetween(now + TTL - 60_000, now + TTL + 1_000);
    assertThat(raw.pttl(keys.presenceKey())).isBetween(TTL - 60_000, TTL);
    assertThat(raw.pttl(keys.activeUsersKey())).isBetween(TTL - 60_000, TTL);
  }

  @Test
  void get_livePresence_returnsItWithoutExtendingIt() {
    presence.put("alice", ALICE);
    double shortened = redisNowMillis() + 30_000;
    raw.zadd(keys.activeUsersKey(), shortened, "alice");
    raw.pexpire(keys.presenceKey(), 30_000);

    assertThat(presence.get("alice")).contains(ALICE);

    assertThat(raw.zscore(keys.activeUsersKey(), "alice")).isEqualTo(shortened);
    assertThat(raw.pttl(keys.presenceKey())).isLessThanOrEqualTo(30_000);
  }

  @Test
  void expiredPresence_isInvisibleAndPrunedFromBothKeysByGetAll() {
    presence.put("alice", ALICE);
    presence.put("bob", new Cursor("Bob", 1, 1));
    raw.zadd(keys.activeUsersKey(), 1_000, "bob"); // expired long ago

    assertThat(presence.get("bob")).isEmpty();
    assertThat(presence.getAll()).containsExactly(Map.entry("alice", ALICE));

    assertThat(raw.hexists(keys.presenceKey(), "bob")).isFalse();
    assertThat(raw.zscore(keys.activeUsersKey(), "bob")).isNull();
    assertThat(presence.remove("bob")).as("nothing live to remove").isFalse();
  }

  @Test
  void activeUsers_expiredUser_isPrunedAndNotReported() {
    presence.put("alice", ALICE);
    presence.put("carol", new Cursor("Carol", 2, 2));
    raw.zadd(keys.activeUsersKey(), 1_000, "carol");

    assertThat(presence.activeUsers()).containsExactly("alice");
    assertThat(raw.hexists(keys.presenceKey(), "carol")).isFalse();
  }

  @Test
  void remove_livePresence_deletesItFromBothKeys() {
    presence.put("alice", ALICE);

    assertThat(presence.remove("alice")).isTrue();

    assertThat(raw.hexists(keys.presenceKey(), "alice")).isFalse();
    assertThat(raw.zscore(keys.activeUsersKey(), "alice")).isNull();
  }

  static Stream<Named<Consumer<RedisPresenceStore<Cursor>>>> operations() {
    return Stream.of(
        Named.of("put", s -> s.put("alice", ALICE)),
        Named.of("get", s -> s.get("alice")),
        Named.of("remove", s -> s.remove("bob")),
        Named.of("getAll", RedisPresenceStore::getAll),
        Named.of("activeUsers", RedisPresenceStore::activeUsers));
  }

  @ParameterizedTest
  @MethodSource("operations")
  void operation_any_isOneRoundTrip(Consumer<RedisPresenceStore<Cursor>> operation) {
    try (RoundTripCounter counter = RoundTripCounter.start(redis);
        RedisStores viaProxy = RedisStores.create(config.toBuilder().redisUrl(counter.url()).build())) {
      RedisPresenceStore<Cursor> store = viaProxy.redisPresence(CODEC);
      store.put("alice", ALICE);
      operation.accept(store); // the server has loaded the scripts: no NOSCRIPT retry below

      counter.reset();
      operation.accept(store);

      assertThat(counter.roundTrips()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("operations")
  void operation_activeUsersKeyOfAnotherType_failsNamingItAndWritesNothing(
      Consumer<RedisPresenceStore<Cursor>> operation) {
    raw.set(keys.activeUsersKey(), "not a zset");

    assertThatThrownBy(() -> operation.accept(presence))
        .isInstanceOf(StoreException.class)
        .isNotInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(keys.activeUsersKey())
        .hasMessageContaining("WRONGTYPE");

    assertThat(raw.exists(keys.presenceKey())).isFalse();
    assertThat(raw.get(keys.activeUsersKey())).isEqualTo("not a zset");
    assertThat(raw.pttl(keys.activeUsersKey())).isEqualTo(-1);
  }

  @Test
  void put_presenceKeyOfAnotherType_failsNamingTheKey() {
    raw.set(keys.presenceKey(), "not a hash");

    assertThatThrownBy(() -> presence.put("alice", ALICE))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(keys.presenceKey())
        .hasMessageContaining("holds a string, not a hash");
    assertThat(raw.exists(keys.activeUsersKey())).isFalse();
  }

  @Test
  void undecodablePresence_getFailsAndGetAllLeavesItOut() {
    presence.put("alice", ALICE);
    raw.hset(keys.presenceKey(), "mallory", "[1, 2");
    raw.zadd(keys.activeUsersKey(), redisNowMillis() + 60_000, "mallory");

    assertThatThrownBy(() -> presence.get("mallory"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(keys.presenceKey())
        .hasMessageContaining("mallory");
    assertThat(presence.getAll()).containsExactly(Map.entry("alice", ALICE));
    assertThat(presence.undecodableValues()).isEqualTo(1);
    assertThat(presence.activeUsers()).containsExactlyInAnyOrder("alice", "mallory");
  }

  @Test
  void afterScriptFlush_heartbeatAndReads_work() {
    presence.put("alice", ALICE);
    raw.scriptFlush();

    presence.put("bob", new Cursor("Bob", 0, 0));

    assertThat(presence.get("alice")).contains(ALICE);
    assertThat(presence.getAll()).containsOnlyKeys("alice", "bob");
  }
}
