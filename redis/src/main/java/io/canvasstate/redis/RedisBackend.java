package io.canvasstate.redis;

import static java.util.Objects.requireNonNull;

import io.canvasstate.StoreConfig;
import io.canvasstate.StoreConfig.HostPort;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisClusterException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * The Jedis client behind one {@link RedisStores}, and the one place where Jedis exceptions
 * become CanvasState exceptions.
 *
 * <p>The client is built on first use, not at construction: building a Cluster or Sentinel
 * client contacts the servers, and an application must be able to start while Redis is down. A
 * failed build is reported as {@link StoreUnavailableException} and tried again by the next
 * call. Thread-safe.
 */
final class RedisBackend implements AutoCloseable {
  /** Server errors that mean "not now": a failover, a restart or a long script in progress. */
  private static final List<String> TRANSIENT_ERRORS =
      List.of("LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "BUSY");

  private final StoreConfig config;
  private final Supplier<UnifiedJedis> factory;
  private final Object lock = new Object();
  private volatile @Nullable UnifiedJedis client;
  private volatile boolean closed;

  RedisBackend(StoreConfig config) {
    this.config = requireNonNull(config, "config");
    this.factory = factory(config);
  }

  StoreConfig config() {
    return config;
  }

  /**
   * The client, built now if it was not yet.
   *
   * @throws IllegalStateException if the backend is closed
   * @throws RuntimeException whatever Jedis throws while building it; callers map it
   */
  UnifiedJedis client() {
    UnifiedJedis c = client;
    if (c != null && !closed) {
      return c;
    }
    synchronized (lock) {
      requireOpen();
      c = client;
      if (c == null) {
        c = factory.get();
        client = c;
      }
      return c;
    }
  }

  /** A batch of commands sent as one pipeline, for operation {@code op}. */
  Batch batch(String op) {
    return new Batch(this, op);
  }

  /**
   * Checks that Redis answers.
   *
   * @throws StoreUnavailableException if it cannot be reached or does not answer in time
   * @throws StoreException if it answers with an error (authentication, say)
   */
  void ping() {
    try {
      client().ping();
    } catch (RuntimeException e) {
      throw map("ping", null, e);
    }
  }

  /**
   * Closes the pooled connections nobody is using (standalone only; the Cluster and Sentinel
   * clients renew their own), so that connections a killed or restarted server left dead are not
   * handed out again, each failing one more call. The failover probe calls it before each probe.
   */
  void discardIdleConnections() {
    if (client instanceof RedisClient standalone) {
      try {
        standalone.getPool().clear();
      } catch (RuntimeException e) {
        // Best effort: a dead connection left in the pool fails one call, as it would anyway.
      }
    }
  }

  void requireOpen() {
    if (closed) {
      throw new IllegalStateException("RedisStores is closed");
    }
  }

  /**
   * Turns what Jedis (or the pool under it) threw into the exception a store throws, keeping it
   * as the cause: connection failures, timeouts and failovers in progress become
   * {@link StoreUnavailableException}; a key of the wrong type, failed authentication and
   * everything else become {@link StoreException} naming the operation and the key.
   *
   * @param key the key the command addressed, or null for none
   */
  RuntimeException map(String op, @Nullable String key, RuntimeException e) {
    if (e instanceof StoreException || e instanceof IllegalStateException && closed) {
      return e;
    }
    if (closed) {
      return new IllegalStateException("RedisStores is closed", e);
    }
    String on = key == null ? op : op + " on \"" + key + "\"";
    String message = String.valueOf(e.getMessage());
    if (e instanceof JedisAccessControlException) {
      if (message.startsWith("NOPERM")) {
        return new StoreException(on + ": user " + user() + " is not allowed: " + message, e);
      }
      return new StoreException("authentication failed for user " + user() + " (" + on + "): "
          + firstWord(message), e);
    }
    if (isUnavailable(e, message)) {
      return new StoreUnavailableException(on + ": Redis is unavailable: " + message, e);
    }
    if (message.startsWith("WRONGTYPE")) {
      return new StoreException(on + ": the Redis key holds the wrong type, so it was left as it"
          + " was (is another application using the key prefix \"" + config.keySchema().prefix()
          + "\"?): " + message, e);
    }
    return new StoreException(on + " failed: " + message, e);
  }

  private static boolean isUnavailable(RuntimeException e, String message) {
    if (e instanceof JedisConnectionException
        || e instanceof JedisClusterOperationException
        || e instanceof JedisClusterException
        || e instanceof JedisBusyException
        || e instanceof JedisRedirectionException) {
      return true;
    }
    // The pool gave up waiting for a free connection: every connection is busy or stuck.
    if (e.getCause() instanceof NoSuchElementException) {
      return true;
    }
    for (String prefix : TRANSIENT_ERRORS) {
      if (message.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private String user() {
    return config.username().orElse("default");
  }

  private static String firstWord(String message) {
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }

  /** Closes the pool. Idempotent. */
  @Override
  public void close() {
    UnifiedJedis c;
    synchronized (lock) {
      closed = true;
      c = client;
      client = null;
    }
    if (c != null) {
      c.close();
    }
  }

  boolean isClosed() {
    return closed;
  }

  // ---- building the client ----

  private static Supplier<UnifiedJedis> factory(StoreConfig config) {
    JedisClientConfig clientConfig = clientConfig(config);
    return switch (config.deployment()) {
      case STANDALONE -> {
        URI url = config.redisUrl().orElseThrow();
        HostAndPort node = new HostAndPort(host(url), url.getPort());
        yield () -> RedisClient.builder()
            .hostAndPort(node)
            .clientConfig(clientConfig)
            .poolConfig(poolConfig(config))
            .build();
      }
      case CLUSTER -> {
        Set<HostAndPort> nodes = hostAndPorts(config.clusterEndpoints());
        yield () -> RedisClusterClient.builder()
            .nodes(nodes)
            .clientConfig(clientConfig)
            .poolConfig(poolConfig(config))
            .maxAttempts(config.maxAttempts())
            .maxTotalRetriesDuration(config.timeout().multipliedBy(config.maxAttempts()))
            .build();
      }
      case SENTINEL -> {
        Set<HostAndPort> sentinels = hostAndPorts(config.sentinelNodes());
        String master = config.sentinelMaster().orElseThrow();
        // Sentinels get the timeouts and TLS setting but no credentials: those are the master's.
        JedisClientConfig sentinelConfig = timeoutsAndTls(config).build();
        yield () -> RedisSentinelClient.builder()
            .masterName(master)
            .sentinels(sentinels)
            .clientConfig(clientConfig)
            .sentinelClientConfig(sentinelConfig)
            .poolConfig(poolConfig(config))
            .build();
      }
      case NONE -> throw new IllegalArgumentException("no Redis configured: set REDIS_URL,"
          + " REDIS_CLUSTER_ENDPOINTS or REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES");
    };
  }

  private static JedisClientConfig clientConfig(StoreConfig config) {
    DefaultJedisClientConfig.Builder b = timeoutsAndTls(config).clientName("canvasstate");
    config.username().ifPresent(b::user);
    config.password().ifPresent(b::password);
    config.redisUrl().ifPresent(url -> b.database(database(url)));
    return b.build();
  }

  private static DefaultJedisClientConfig.Builder timeoutsAndTls(StoreConfig config) {
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis(config.connectTimeout().toMillis()))
        .socketTimeoutMillis(millis(config.timeout().toMillis()))
        // RESP2, pinned: script replies (nil, false, arrays) convert the same on every Redis
        // version, and connecting costs no HELLO.
        .protocol(RedisProtocol.RESP2);
    if (config.tls()) {
      // The JVM's trust store (javax.net.ssl.trustStore) and full host name verification.
      b.sslOptions(SslOptions.defaults());
    }
    return b;
  }

  private static ConnectionPoolConfig poolConfig(StoreConfig config) {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(config.poolSize());
    pool.setMaxIdle(config.poolSize());
    pool.setMinIdle(0);
    // Waiting for a free connection is bounded like a command: never hang a caller.
    pool.setBlockWhenExhausted(true);
    pool.setMaxWait(config.timeout());
    pool.setJmxEnabled(false);
    return pool;
  }

  /** The database number in the URL's path ({@code /3}), 0 if there is none. */
  static int database(URI url) {
    String path = url.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return 0;
    }
    String db = path.substring(1);
    try {
      int n = Integer.parseInt(db);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "REDIS_URL path must be a database number, such as /0: \"" + path + "\"");
  }

  private static String host(URI url) {
    String host = url.getHost();
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static Set<HostAndPort> hostAndPorts(List<HostPort> nodes) {
    Set<HostAndPort> out = new LinkedHashSet<>();
    for (HostPort n : nodes) {
      out.add(new HostAndPort(n.host(), n.port()));
    }
    return out;
  }

  private static int millis(long ms) {
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  @Override
  public String toString() {
    return "RedisBackend[" + config.deployment().name().toLowerCase(Locale.ROOT)
        + (closed ? ", closed" : "") + "]";
  }
}
