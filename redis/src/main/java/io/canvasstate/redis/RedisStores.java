package io.canvasstate.redis;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.internal.SharedBytesCodec;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.inmemory.InMemoryPresenceStore;
import java.time.InstantSource;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
 * <p>By default ({@link StoreConfig#fallbackEnabled()}, {@code CANVASSTATE_FALLBACK=true}) the
 * stores it hands out are failover-wrapped: one {@link FailoverStore} per factory, with Redis as
 * the primary and in-memory stores as the fallback, so that calls keep being answered while
 * Redis is down and what changed meanwhile is written back when it returns (see
 * {@link FailoverStore} for the rules, {@link #failover()} to watch it). With the fallback off
 * they are the bare Redis stores, which throw {@link StoreUnavailableException} while Redis
 * cannot be reached; {@link #redisCanvas} and {@link #redisPresence} always are.
 *
 * <p>Creating it never contacts Redis, so an application starts while Redis is down: the first
 * call that cannot reach it fails over (or, with the fallback off, throws), and later calls
 * reach Redis as soon as it is back. Every command waits at most {@link StoreConfig#timeout()}
 * for its answer (and for a free pooled connection): that is how a paused or unreachable server
 * is detected.
 *
 * <p>{@link #toString()} shows the configuration without the password. Thread-safe.
 */
public final class RedisStores implements AutoCloseable {
  private final StoreConfig config;
  private final RedisBackend backend;
  private final ActiveMarks marks;
  private final @Nullable FailoverStore failover;

  private RedisStores(StoreConfig config, FailoverConfig failoverConfig, InstantSource clock) {
    this.config = config;
    this.backend = new RedisBackend(config);
    this.marks = new ActiveMarks(clock, RedisCanvasStore.markInterval(config.ttl().canvasTtl()));
    this.failover = config.fallbackEnabled() ? failover(failoverConfig, clock) : null;
  }

  /**
   * The failover state over this factory's Redis: byte stores on both sides, so that the typed
   * stores apply their codec once and the fallback and journal keep the encoded values. The byte
   * stores pass arrays through uncopied ({@link SharedBytesCodec}): only the decorator reaches
   * them, and it never modifies an array.
   */
  private FailoverStore failover(FailoverConfig failoverConfig, InstantSource clock) {
    Codec<byte[]> bytes = SharedBytesCodec.INSTANCE;
    return FailoverStore.builder()
        .canvas(new RedisCanvasStore<>(backend, bytes, marks),
            InMemoryCanvasStore.builder(bytes).clock(clock).ttl(config.ttl())
                .maxValueBytes(config.maxValueBytes()).build())
        .presence(new RedisPresenceStore<>(backend, bytes),
            InMemoryPresenceStore.builder(bytes).clock(clock).ttl(config.ttl())
                .maxValueBytes(config.maxValueBytes()).build())
        .config(failoverConfig)
        .clock(clock)
        .ttl(config.ttl())
        .keySchema(config.keySchema())
        .probe(() -> {
          backend.discardIdleConnections();
          backend.ping();
        })
        .probeAtStart(false)
        .build();
  }

  /**
   * Stores for the Redis that {@code config} names, failing over with the default
   * {@link FailoverConfig} if the fallback is enabled. Does not connect.
   *
   * @throws IllegalArgumentException if the configuration names no Redis (deployment
   *     {@code NONE}) or its URL path is not a database number
   */
  public static RedisStores create(StoreConfig config) {
    return create(config, FailoverConfig.DEFAULT, InstantSource.system());
  }

  /**
   * Stores for the Redis that {@code config} names, reading {@code clock} to pace how often each
   * project's active mark is refreshed (expiry times come from Redis' clock) and, with the
   * fallback enabled, for the failover state and the in-memory fallback. Does not connect.
   *
   * @throws IllegalArgumentException if the configuration names no Redis or its URL path is not a
   *     database number
   */
  public static RedisStores create(StoreConfig config, InstantSource clock) {
    return create(config, FailoverConfig.DEFAULT, clock);
  }

  /**
   * Stores for the Redis that {@code config} names, failing over as {@code failover} says when
   * the fallback is enabled (it is ignored otherwise). Does not connect.
   *
   * @throws IllegalArgumentException if the configuration names no Redis or its URL path is not a
   *     database number
   */
  public static RedisStores create(StoreConfig config, FailoverConfig failover) {
    return create(config, failover, InstantSource.system());
  }

  /**
   * Stores for the Redis that {@code config} names, failing over as {@code failover} says, on
   * {@code clock}. Does not connect.
   *
   * @throws IllegalArgumentException if the configuration names no Redis or its URL path is not a
   *     database number
   */
  public static RedisStores create(
      StoreConfig config, FailoverConfig failover, InstantSource clock) {
    requireNonNull(config, "config");
    requireNonNull(failover, "failover");
    requireNonNull(clock, "clock");
    return new RedisStores(config, failover, clock);
  }

  /**
   * Stores configured from the environment and system properties, as
   * {@link StoreConfig#fromEnv()} and {@link FailoverConfig#fromEnv()} read them: failover-wrapped
   * unless {@code CANVASSTATE_FALLBACK=false}. Does not connect.
   *
   * @throws IllegalArgumentException if a setting is invalid or no Redis is configured
   * @throws IllegalStateException if settings conflict
   */
  public static RedisStores fromEnv() {
    return create(StoreConfig.fromEnv(), FailoverConfig.fromEnv(), InstantSource.system());
  }

  /**
   * A canvas store using {@code codec}, sharing this factory's connections: failover-wrapped if
   * the fallback is enabled (sharing this factory's one failover state), else the bare
   * {@link RedisCanvasStore}. Closing it closes only that store; {@link #close()} releases
   * everything.
   *
   * @throws IllegalStateException if this factory is closed
   */
  public <T> CanvasStore<T> canvas(Codec<T> codec) {
    backend.requireOpen();
    return failover != null ? failover.canvas(codec) : redisCanvas(codec);
  }

  /**
   * A presence store using {@code codec}: failover-wrapped if the fallback is enabled, else the
   * bare {@link RedisPresenceStore}.
   *
   * @throws IllegalStateException if this factory is closed
   */
  public <P> PresenceStore<P> presence(Codec<P> codec) {
    backend.requireOpen();
    return failover != null ? failover.presence(codec) : redisPresence(codec);
  }

  /**
   * The bare Redis canvas store using {@code codec}, without failover whatever the
   * configuration: it throws {@link StoreUnavailableException} while Redis cannot be reached,
   * and its writes bypass the failover state (do not mix them with the failover-wrapped stores'
   * during an outage).
   *
   * @throws IllegalStateException if this factory is closed
   */
  public <T> RedisCanvasStore<T> redisCanvas(Codec<T> codec) {
    backend.requireOpen();
    return new RedisCanvasStore<>(backend, codec, marks);
  }

  /**
   * The bare Redis presence store using {@code codec}, without failover whatever the
   * configuration.
   *
   * @throws IllegalStateException if this factory is closed
   */
  public <P> RedisPresenceStore<P> redisPresence(Codec<P> codec) {
    backend.requireOpen();
    return new RedisPresenceStore<>(backend, codec);
  }

  /**
   * The failover state of this factory's stores, to read its state and counters and to add
   * listeners; empty if the fallback is disabled.
   */
  public Optional<FailoverStore> failover() {
    return Optional.ofNullable(failover);
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

  /**
   * Closes the failover state (which first writes back what changed during an outage if Redis
   * answers again, and reports what it could not as dropped) and then the connection pool; the
   * stores handed out stop working. Idempotent.
   */
  @Override
  public void close() {
    try {
      if (failover != null) {
        failover.close();
      }
    } finally {
      backend.close();
    }
  }

  @Override
  public String toString() {
    return "RedisStores[" + config + (backend.isClosed() ? ", closed" : "") + "]";
  }
}
