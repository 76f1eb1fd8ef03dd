package io.canvasstate.redis;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.SslOptions;

/**
 * The factory of Redis stores: owns the connection pool to one Redis deployment (a server,
 * a Cluster or a Sentinel-watched master, with TLS and an ACL user as configured) and hands out
 * stores that share it.
 *
 * <pre>{@code
 * try (RedisStores redis = RedisStores.fromEnv()) {
 *   CanvasStore<Shape> canvas = redis.canvas(JacksonCodec.of(Shape.class));
 *   PresenceStore<Cursor> presence = redis.presence(JacksonCodec.of(Cursor.class));
 *   ...
 * }
 * }</pre>
 *
 * <p>Creating it does not need Redis, so an application starts while Redis is down; the first
 * operation that cannot reach it throws {@link StoreUnavailableException}, and later ones
 * connect as soon as Redis is back. With TLS, creating it reads the certificates and keys and
 * makes one TLS handshake (to the URL's host, the first cluster seeds or the first sentinels)
 * so that a certificate that does not verify fails at startup, naming the host; a server that
 * cannot be reached is no error there. Every command waits at most
 * {@link StoreConfig#timeout()} for its answer (and for a free pooled connection).
 *
 * <p>{@link #toString()} shows the configuration without the password. Thread-safe.
 */
public final class RedisStores implements AutoCloseable {
  private final StoreConfig config;
  private final RedisBackend backend;
  private final ActiveMarks marks;

  private RedisStores(StoreConfig config, InstantSource clock, @Nullable SslOptions ssl) {
    this.config = config;
    this.backend = new RedisBackend(config, ssl);
    this.marks = new ActiveMarks(clock, RedisCanvasStore.markInterval(config.ttl().canvasTtl()));
  }

  /**
   * Stores for the Redis that {@code config} names. Does not connect, except for the TLS check
   * described above.
   *
   * @throws IllegalArgumentException if the configuration names no Redis (deployment
   *     {@code NONE}) or its URL path is not a database number
   * @throws StoreException if a TLS file cannot be read, or a reachable server's certificate does
   *     not verify or it rejects the client's (the message names the host and the setting)
   */
  public static RedisStores create(StoreConfig config) {
    return create(config, InstantSource.system());
  }

  /**
   * Stores for the Redis that {@code config} names, reading {@code clock} only to pace how
   * often each project's active mark is refreshed (expiry times come from Redis' clock). Does not
   * connect, except for the TLS check described above.
   *
   * @throws IllegalArgumentException if the configuration names no Redis or its URL path is not a
   *     database number
   * @throws StoreException if a TLS file cannot be read, or a reachable server's certificate does
   *     not verify or it rejects the client's (the message names the host and the setting)
   */
  public static RedisStores create(StoreConfig config, InstantSource clock) {
    requireNonNull(config, "config");
    requireNonNull(clock, "clock");
    if (config.deployment() == StoreConfig.Deployment.NONE) {
      // Let the backend say what is missing before any TLS file is read.
      return new RedisStores(config, clock, null);
    }
    SslOptions ssl = JedisTls.sslOptions(config).orElse(null);
    if (ssl != null) {
      TlsStartupCheck.run(config, ssl);
    }
    return new RedisStores(config, clock, ssl);
  }

  /**
   * Stores configured from the environment and system properties, as
   * {@link StoreConfig#fromEnv()} reads them. Does not connect, except for the TLS check.
   *
   * @throws IllegalArgumentException if a setting is invalid or no Redis is configured
   * @throws IllegalStateException if settings conflict
   * @throws StoreException if the TLS check fails
   */
  public static RedisStores fromEnv() {
    return create(StoreConfig.fromEnv());
  }

  /** A canvas store using {@code codec}, sharing this factory's connections. */
  public <T> RedisCanvasStore<T> canvas(Codec<T> codec) {
    backend.requireOpen();
    return new RedisCanvasStore<>(backend, codec, marks);
  }

  /** A presence store using {@code codec}, sharing this factory's connections. */
  public <P> RedisPresenceStore<P> presence(Codec<P> codec) {
    backend.requireOpen();
    return new RedisPresenceStore<>(backend, codec);
  }

  /**
   * Checks that Redis answers a {@code PING}, within the configured timeout: the health check
   * and the probe the failover decorator runs while Redis is down.
   *
   * @throws StoreUnavailableException if Redis cannot be reached or does not answer in time
   * @throws StoreException if it answers with an error, such as failed authentication
   * @throws IllegalStateException if this factory is closed
   */
  public void ping() {
    backend.ping();
  }

  /** The configuration these stores use. */
  public StoreConfig config() {
    return config;
  }

  /** Closes the connection pool; the stores handed out stop working. Idempotent. */
  @Override
  public void close() {
    backend.close();
  }

  @Override
  public String toString() {
    return "RedisStores[" + config + (backend.isClosed() ? ", closed" : "") + "]";
  }
}
