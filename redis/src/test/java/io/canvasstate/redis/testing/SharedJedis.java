package io.canvasstate.redis.testing;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/** A server's shared raw connection, reopened when it broke. Thread-safe. */
final class SharedJedis {
  private final Supplier<Jedis> connector;
  private @Nullable Jedis jedis;

  SharedJedis(Supplier<Jedis> connector) {
    this.connector = connector;
  }

  synchronized Jedis get() {
    Jedis j = jedis;
    if (j == null || j.isBroken() || !j.isConnected()) {
      close();
      j = connector.get();
      jedis = j;
    }
    return j;
  }

  synchronized void close() {
    Jedis j = jedis;
    jedis = null;
    if (j != null) {
      try {
        j.close();
      } catch (RuntimeException ignored) {
        // already broken: nothing to release
      }
    }
  }

  /** The client settings of harness connections: {@link RedisServer#TEST_TIMEOUT}, a name. */
  static JedisClientConfig config() {
    int ms = (int) RedisServer.TEST_TIMEOUT.toMillis();
    return DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(ms).socketTimeoutMillis(ms).clientName("harness").resp2().build();
  }

  static Jedis connect(String host, int port) {
    return new Jedis(new HostAndPort(host, port), config());
  }
}
