package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.KeySchema;
import io.canvasstate.TtlPolicy;
import io.canvasstate.redis.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the Redis contract tests share: a {@link RedisStores} with a fresh key prefix per store
 * the suite asks for, the key schema of each store (for the hooks that write raw values), and
 * time passing by sleeping, since Redis expires keys on its own clock.
 */
final class ContractStores {
  private final RedisServer redis;
  private final List<RedisStores> opened = Collections.synchronizedList(new ArrayList<>());
  private final Map<Object, KeySchema> schemas = Collections.synchronizedMap(new IdentityHashMap<>());

  ContractStores(RedisServer redis) {
    this.redis = redis;
  }

  /** Stores on a fresh key prefix; the caller closes them after the test. */
  RedisStores open(TtlPolicy ttl, int maxValueBytes) {
    RedisStores stores =
        RedisStores.create(redis.configBuilder().ttl(ttl).maxValueBytes(maxValueBytes).build());
    opened.add(stores);
    return stores;
  }

  /**
   * Checks that no failover-wrapped store opened since the last check ever left Redis, so that
   * a contract run through the failover decorator really ran against Redis.
   */
  void assertNeverFailedOver() {
    List<RedisStores> all;
    synchronized (opened) {
      all = List.copyOf(opened);
      opened.clear();
    }
    for (RedisStores s : all) {
      assertThat(s.failover()).hasValueSatisfying(f -> assertThat(f.stats().failovers())
          .as("failovers of %s", f).isZero());
    }
  }

  /** Remembers which keys {@code store} uses, and returns it. */
  <S> S track(S store, RedisStores stores) {
    schemas.put(store, stores.config().keySchema());
    return store;
  }

  KeySchema keys(Object store) {
    KeySchema keys = schemas.get(store);
    if (keys == null) {
      throw new IllegalArgumentException("not a store this test made: " + store);
    }
    return keys;
  }

  void hset(String key, String field, byte[] value) {
    redis.jedis().hset(key.getBytes(UTF_8), field.getBytes(UTF_8), value);
  }

  void set(String key, String value) {
    redis.jedis().set(key, value);
  }

  /** Sleeps at least {@code duration}: the Redis stores expire on Redis' clock. */
  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis() + 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while letting time pass", e);
    }
  }
}
