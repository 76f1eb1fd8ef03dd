package io.canvasstate.redis;

import static java.util.Objects.requireNonNull;

import io.canvasstate.StoreConfig;
import io.canvasstate.StoreConfig.HostPort;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
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
import redis.clients.jedis.exceptions.JedisDataException;
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
  private static final Logger LOG = LoggerFactory.getLogger(RedisBackend.class);
  /**
   * Server errors that refuse a command without running it, for now: a slot migration, a
   * promotion, a restart or another client's long script in progress.
   */
  private static final List<String> TRANSIENT_ERRORS =
      List.of("LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "BUSY");

  /** Least time between two topology refreshes that errors ask for. */
  private static final long REFRESH_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();

  private final StoreConfig config;
  private final Supplier<UnifiedJedis> factory;
  private final Object lock = new Object();
  private final ReentrantLock refreshing = new ReentrantLock();
  private volatile long lastRefresh = System.nanoTime() - REFRESH_INTERVAL_NANOS;
  /**
   * Reads a cluster pipeline's replies from its nodes in parallel, reusing idle threads (Jedis
   * would start a new pool for each pipeline that spans nodes); made on first need.
   */
  private volatile @Nullable ExecutorService pipelineReaders;
  private volatile @Nullable UnifiedJedis client;
  private volatile boolean closed;
  /** How many calls failed to reach a node (refused, reset, timed out, no reply). */
  private final AtomicLong unreachable = new AtomicLong();
  /** What a connection outside the pool uses: the pool's credentials, TLS and timeouts. */
  private final JedisClientConfig dedicatedConfig;

  /**
   * A backend for {@code config}; with TLS, its certificates and keys are read and checked now.
   *
   * @throws StoreException if a TLS file cannot be read or parsed
   */
  RedisBackend(StoreConfig config) {
    this(config, JedisTls.sslOptions(config).orElse(null));
  }

  RedisBackend(StoreConfig config, @Nullable SslOptions ssl) {
    this.config = requireNonNull(config, "config");
    this.factory = factory(config, ssl);
    this.dedicatedConfig = clientConfig(config, ssl);
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

  /**
   * A new connection of its own, outside the pool, to the node that takes writes, for the
   * event subscription: the server of a standalone deployment, the master Sentinel names now, or
   * a random Cluster node (classic pub/sub messages reach every node of a cluster). Same
   * credentials, TLS and timeouts as the pool's.
   *
   * @throws IllegalStateException if the backend is closed
   * @throws RuntimeException whatever Jedis throws while connecting
   */
  Connection newDedicatedConnection() {
    requireOpen();
    HostAndPort node = switch (config.deployment()) {
      case STANDALONE -> {
        URI url = config.redisUrl().orElseThrow();
        yield new HostAndPort(host(url), url.getPort());
      }
      case SENTINEL -> ((RedisSentinelClient) client()).getCurrentMaster();
      case CLUSTER -> {
        List<String> nodes = List.copyOf(((RedisClusterClient) client()).getClusterNodes().keySet());
        if (nodes.isEmpty()) {
          throw new JedisConnectionException("no reachable Cluster node");
        }
        yield HostAndPort.from(nodes.get(java.util.concurrent.ThreadLocalRandom.current()
            .nextInt(nodes.size())));
      }
      case NONE -> throw new IllegalStateException("no Redis configured");
    };
    return new Connection(node, dedicatedConfig);
  }

  /**
   * A connection to one node, which the caller closes: from the client's pool of that node on a
   * cluster (made anew if the client does not know the node yet), else a new one.
   *
   * @throws RuntimeException whatever Jedis throws while connecting; callers map it
   */
  Connection connectionTo(HostAndPort node) {
    if (client() instanceof RedisClusterClient cluster) {
      ConnectionPool pool = cluster.getClusterNodes().get(node.toString());
      if (pool != null) {
        return pool.getResource();
      }
    }
    return new Connection(node, dedicatedConfig);
  }

  /**
   * A new pipeline on the client: on a cluster, commands are grouped per node and each node's
   * replies are read in parallel, so a batch costs one round trip however many nodes it spans.
   */
  AbstractPipeline pipelined() {
    UnifiedJedis c = client();
    if (c instanceof RedisClusterClient cluster) {
      return cluster.pipelined(pipelineReaders());
    }
    return c.pipelined();
  }

  private ExecutorService pipelineReaders() {
    ExecutorService readers = pipelineReaders;
    if (readers == null) {
      synchronized (lock) {
        requireOpen();
        readers = pipelineReaders;
        if (readers == null) {
          AtomicInteger n = new AtomicInteger();
          readers = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "canvasstate-pipeline-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
          pipelineReaders = readers;
        }
      }
    }
    return readers;
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

  /**
   * The connection pool's figures now: summed over the nodes on a Cluster, zeros before the
   * client is built; on Sentinel, where Jedis does not expose the pool, only the maximum.
   */
  PoolStats poolStats() {
    UnifiedJedis c = client;
    int perNode = config.poolSize();
    if (c == null || closed) {
      return new PoolStats(0, 0, 0, perNode);
    }
    try {
      if (c instanceof RedisClient standalone) {
        var pool = standalone.getPool();
        return new PoolStats(pool.getNumActive(), pool.getNumIdle(), pool.getNumWaiters(),
            perNode);
      }
      if (c instanceof RedisClusterClient cluster) {
        int active = 0;
        int idle = 0;
        int waiting = 0;
        int nodes = 0;
        for (var pool : cluster.getClusterNodes().values()) {
          active += pool.getNumActive();
          idle += pool.getNumIdle();
          waiting += pool.getNumWaiters();
          nodes++;
        }
        return new PoolStats(active, idle, waiting, perNode * Math.max(nodes, 1));
      }
    } catch (RuntimeException e) {
      // A pool closed under us (the client is being closed): report it as empty.
    }
    return new PoolStats(0, 0, 0, perNode);
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
      if (e instanceof JedisConnectionException && !isPoolExhausted(e)) {
        unreachable.incrementAndGet();
      }
      if (config.deployment() == StoreConfig.Deployment.CLUSTER) {
        refreshTopology();
      }
      SSLException tls = tlsFailure(e);
      if (tls != null) {
        return new StoreUnavailableException(on + ": TLS handshake with Redis failed: "
            + tls.getMessage(), e);
      }
      return new StoreUnavailableException(on + ": Redis is unavailable: " + message, e);
    }
    if (message.startsWith("WRONGTYPE")) {
      return new StoreException(on + ": the Redis key holds the wrong type, so it was left as it"
          + " was (is another application using the key prefix \"" + config.keySchema().prefix()
          + "\"?): " + message, e);
    }
    return new StoreException(on + " failed: " + message, e);
  }

  /** How many calls have failed to reach a node so far. */
  long unreachableCount() {
    return unreachable.get();
  }

  /**
   * The exception for an operation that found no free pooled connection for as long as it may
   * retry: not an outage (nothing was sent, and no call failed to reach Redis meanwhile), but
   * more concurrent calls than {@code REDIS_POOL_SIZE} connections serve.
   */
  StoreException poolBusy(String op, String key, RuntimeException e) {
    return new StoreException(op + " on \"" + key + "\": no free pooled connection within "
        + config.maxRetryDuration().toMillis() + " ms (REDIS_POOL_SIZE is " + config.poolSize()
        + "; every connection was busy, while Redis answered)", e);
  }

  /** Whether the pool had no free connection within its wait: nothing was sent. */
  static boolean isPoolExhausted(Throwable e) {
    return e.getCause() instanceof NoSuchElementException;
  }

  /**
   * The first word of a reply that refused to run a command for now ({@code MOVED},
   * {@code ASK}, {@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code LOADING}, {@code BUSY},
   * {@code READONLY}, {@code MASTERDOWN}), or null if {@code e} is no such reply.
   */
  static @Nullable String refusal(Throwable e) {
    if (!(e instanceof JedisDataException)) {
      return null;
    }
    if (e instanceof JedisRedirectionException) {
      return firstWord(String.valueOf(e.getMessage()));
    }
    String message = String.valueOf(e.getMessage());
    for (String prefix : TRANSIENT_ERRORS) {
      if (message.startsWith(prefix)) {
        return prefix;
      }
    }
    return null;
  }

  /** Whether a refusal means this client's slot map may be stale (a promotion, a demotion). */
  static boolean needsTopology(Throwable e) {
    String refusal = refusal(e);
    return "CLUSTERDOWN".equals(refusal) || "READONLY".equals(refusal)
        || "MASTERDOWN".equals(refusal);
  }

  /**
   * On a cluster, reloads which node serves which slot, at most every 200 ms and by one caller
   * at a time: a command that failed because a master died, a slot moved or the cluster is
   * reconfiguring is then sent where the slot lives now. Pipelines (which the stores use) do not
   * follow redirects by themselves. Failures here are left to the next command.
   */
  void refreshTopology() {
    if (System.nanoTime() - lastRefresh < REFRESH_INTERVAL_NANOS || !refreshing.tryLock()) {
      return;
    }
    refreshLocked();
  }

  /**
   * Reloads the slot map now (waiting for a refresh under way), after a {@code MOVED} reply
   * proved the one in memory wrong.
   */
  void refreshTopologyNow() {
    refreshing.lock();
    refreshLocked();
  }

  private void refreshLocked() {
    try {
      UnifiedJedis c = client;
      if (c instanceof RedisClusterClient cluster && !closed) {
        lastRefresh = System.nanoTime();
        cluster.refreshClusterTopology();
      }
    } catch (RuntimeException e) {
      LOG.debug("cluster topology refresh failed; the next error tries again: {}", e.toString());
    } finally {
      refreshing.unlock();
    }
  }

  private static @Nullable SSLException tlsFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException ssl) {
        return ssl;
      }
    }
    return null;
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
    ExecutorService readers;
    synchronized (lock) {
      closed = true;
      c = client;
      client = null;
      readers = pipelineReaders;
      pipelineReaders = null;
    }
    if (c != null) {
      c.close();
    }
    if (readers != null) {
      readers.shutdownNow();
    }
  }

  boolean isClosed() {
    return closed;
  }

  // ---- building the client ----

  private static Supplier<UnifiedJedis> factory(StoreConfig config, @Nullable SslOptions ssl) {
    JedisClientConfig clientConfig = clientConfig(config, ssl);
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
            .maxTotalRetriesDuration(config.maxRetryDuration())
            .build();
      }
      case SENTINEL -> {
        Set<HostAndPort> sentinels = hostAndPorts(config.sentinelNodes());
        String master = config.sentinelMaster().orElseThrow();
        // Sentinels get the timeouts and TLS settings, and their own credentials if they have
        // any: REDIS_USERNAME/REDIS_PASSWORD are the data nodes'.
        DefaultJedisClientConfig.Builder sentinel = timeoutsAndTls(config, ssl);
        config.sentinelUsername().ifPresent(sentinel::user);
        config.sentinelPassword().ifPresent(sentinel::password);
        JedisClientConfig sentinelConfig = sentinel.build();
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

  private static JedisClientConfig clientConfig(StoreConfig config, @Nullable SslOptions ssl) {
    DefaultJedisClientConfig.Builder b = timeoutsAndTls(config, ssl).clientName("canvasstate");
    config.username().ifPresent(b::user);
    config.password().ifPresent(b::password);
    config.redisUrl().ifPresent(url -> b.database(database(url)));
    return b.build();
  }

  private static DefaultJedisClientConfig.Builder timeoutsAndTls(StoreConfig config,
      @Nullable SslOptions ssl) {
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis(config.connectTimeout().toMillis()))
        .socketTimeoutMillis(millis(config.timeout().toMillis()))
        // RESP2, pinned: script replies (nil, false, arrays) convert the same on every Redis
        // version, and connecting costs no HELLO.
        .protocol(RedisProtocol.RESP2)
        // No CLIENT SETINFO on connect: Redis 7.0 lacks it and an ACL user need not be
        // granted it (RedisAcl lists what the library sends).
        .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
    if (ssl != null) {
      // The configured CA, trust store or the JVM's, a client certificate if any, and host name
      // verification unless REDIS_TLS_VERIFY_HOSTNAME=false (see JedisTls).
      b.sslOptions(ssl);
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
