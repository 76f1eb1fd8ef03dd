package io.canvasstate.redis;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.internal.SharedBytesCodec;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.inmemory.InMemoryPresenceStore;
import io.canvasstate.inmemory.InMemoryRoomPresenceStore;
import io.canvasstate.internal.InstanceIds;
import io.canvasstate.persistence.Persistence;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * <p>By default ({@link StoreConfig#fallbackEnabled()}, {@code CANVASSTATE_FALLBACK=true}) the
 * stores it hands out are failover-wrapped: one {@link FailoverStore} per factory, with Redis as
 * the primary and in-memory stores as the fallback, so that calls keep being answered while
 * Redis is down and what changed meanwhile is written back when it returns (see
 * {@link FailoverStore} for the rules, {@link #failover()} to watch it). With the fallback off
 * they are the bare Redis stores, which throw {@link StoreUnavailableException} while Redis
 * cannot be reached; {@link #redisCanvas} and {@link #redisPresence} always are.
 *
 * <p>Creating it does not need Redis, so an application starts while Redis is down: the first
 * call that cannot reach it fails over (or, with the fallback off, throws), and later calls
 * reach Redis as soon as it is back. With TLS, creating it reads the certificates and keys and
 * makes one TLS handshake (to the URL's host, the first cluster seeds or the first sentinels),
 * so that a certificate that does not verify fails at startup naming the host, instead of every
 * call failing over; a server that cannot be reached is no error there. Every command waits at most {@link StoreConfig#timeout()}
 * for its answer (and for a free pooled connection): that is how a paused or unreachable server
 * is detected.
 *
 * <p>The stores of one {@code RedisStores} share an {@linkplain #instanceId() instance id}, put on
 * the change events they publish, and one pub/sub connection for the events they subscribe to
 * (a dedicated connection, outside the pool, with its own daemon thread and a ping thread, from
 * the first subscription until {@link #close()}); see {@link io.canvasstate.CanvasStore#subscribe}.
 *
 * <p>{@link #toString()} shows the configuration without the password. Thread-safe.
 */
public final class RedisStores implements AutoCloseable {
  private final StoreConfig config;
  private final RedisBackend backend;
  private final ActiveMarks marks;
  private final ActiveMarks slides;
  private final RedisEvents events;
  private final @Nullable FailoverStore failover;
  private final FailoverConfig failoverConfig;
  private final InstantSource clock;
  /** The failover states of the canvas stores with persistence, one each. */
  private final List<FailoverStore> persistentFailovers = new CopyOnWriteArrayList<>();
  private final EvictionPolicyCheck evictionPolicy = new EvictionPolicyCheck();
  /** The bare room stores handed out: {@link #close()} ends their leases. */
  private final List<RedisRoomPresenceStore<?>> roomStores = new CopyOnWriteArrayList<>();

  private RedisStores(StoreConfig config, FailoverConfig failoverConfig, InstantSource clock,
      @Nullable SslOptions ssl) {
    this(config, failoverConfig, clock, ssl, RedisEvents.DEFAULT_PING_INTERVAL);
  }

  private RedisStores(StoreConfig config, FailoverConfig failoverConfig, InstantSource clock,
      @Nullable SslOptions ssl, Duration pingInterval) {
    this.config = config;
    this.failoverConfig = failoverConfig;
    this.clock = clock;
    this.backend = new RedisBackend(config, ssl);
    this.marks = new ActiveMarks(clock, RedisCanvasStore.markInterval(config.ttl().canvasTtl()));
    this.slides = new ActiveMarks(clock, RedisCanvasStore.slideInterval(config.ttl().canvasTtl()));
    String instanceId = InstanceIds.random();
    this.events = new RedisEvents(backend::newDedicatedConnection,
        config.keySchema().prefix() + "canvasstate:control:" + instanceId, instanceId,
        pingInterval, config.timeout());
    this.failover = config.fallbackEnabled() ? failover(failoverConfig, clock) : null;
  }

  /** The Jedis client behind the stores; for tests in this package. */
  RedisBackend backend() {
    return backend;
  }

  /**
   * The failover state over this factory's Redis: byte stores on both sides, so that the typed
   * stores apply their codec once and the fallback and journal keep the encoded values. The byte
   * stores pass arrays through uncopied ({@link SharedBytesCodec}): only the decorator reaches
   * them, and it never modifies an array.
   */
  private FailoverStore failover(FailoverConfig failoverConfig, InstantSource clock) {
    Codec<byte[]> bytes = SharedBytesCodec.INSTANCE;
    return failoverBuilder(failoverConfig, clock)
        .canvas(new RedisCanvasStore<>(backend, bytes, marks, slides, events),
            InMemoryCanvasStore.builder(bytes).clock(clock).ttl(config.ttl())
                .maxValueBytes(config.maxValueBytes())
                .maxCanvasObjects(config.maxCanvasObjects()).instanceId(events.instanceId()).build())
        .presence(new RedisPresenceStore<>(backend, bytes, events),
            InMemoryPresenceStore.builder(bytes).clock(clock).ttl(config.ttl())
                .maxValueBytes(config.maxValueBytes()).instanceId(events.instanceId()).build())
        .build();
  }

  /** A failover state over this factory's Redis, before its stores are set. */
  private FailoverStore.Builder failoverBuilder(FailoverConfig failoverConfig,
      InstantSource clock) {
    return FailoverStore.builder()
        .config(failoverConfig)
        .clock(clock)
        .ttl(config.ttl())
        .keySchema(config.keySchema())
        .probe(() -> {
          backend.discardIdleConnections();
          backend.ping();
        })
        .probeAtStart(false);
  }

  /**
   * Stores for the Redis that {@code config} names, failing over with the default
   * {@link FailoverConfig} if the fallback is enabled. Does not connect, except for the TLS check
   * described above.
   *
   * @throws IllegalArgumentException if the configuration names no Redis (deployment
   *     {@code NONE}) or its URL path is not a database number
   * @throws StoreException if a TLS file cannot be read, or a reachable server's certificate does
   *     not verify or it rejects the client's (the message names the host and the setting)
   */
  public static RedisStores create(StoreConfig config) {
    return create(config, FailoverConfig.DEFAULT, InstantSource.system());
  }

  /**
   * Stores for the Redis that {@code config} names, reading {@code clock} to pace how often each
   * project's active mark is refreshed (expiry times come from Redis' clock) and, with the
   * fallback enabled, for the failover state and the in-memory fallback. Does not connect,
   * except for the TLS check described above.
   *
   * @throws IllegalArgumentException if the configuration names no Redis or its URL path is not a
   *     database number
   * @throws StoreException if a TLS file cannot be read, or a reachable server's certificate does
   *     not verify or it rejects the client's (the message names the host and the setting)
   */
  public static RedisStores create(StoreConfig config, InstantSource clock) {
    return create(config, FailoverConfig.DEFAULT, clock);
  }

  /**
   * Stores for the Redis that {@code config} names, failing over as {@code failover} says when
   * the fallback is enabled (it is ignored otherwise). Does not connect, except for the TLS
   * check described above.
   *
   * @throws IllegalArgumentException if the configuration names no Redis or its URL path is not a
   *     database number
   * @throws StoreException if a TLS file cannot be read, or a reachable server's certificate does
   *     not verify or it rejects the client's (the message names the host and the setting)
   */
  public static RedisStores create(StoreConfig config, FailoverConfig failover) {
    return create(config, failover, InstantSource.system());
  }

  /**
   * Stores for the Redis that {@code config} names, failing over as {@code failover} says, on
   * {@code clock}. Does not connect, except for the TLS check described above.
   *
   * @throws IllegalArgumentException if the configuration names no Redis or its URL path is not a
   *     database number
   * @throws StoreException if a TLS file cannot be read, or a reachable server's certificate does
   *     not verify or it rejects the client's (the message names the host and the setting)
   */
  public static RedisStores create(
      StoreConfig config, FailoverConfig failover, InstantSource clock) {
    requireNonNull(config, "config");
    requireNonNull(failover, "failover");
    requireNonNull(clock, "clock");
    if (config.deployment() == StoreConfig.Deployment.NONE) {
      // Let the backend say what is missing before any TLS file is read.
      return new RedisStores(config, failover, clock, null);
    }
    SslOptions ssl = JedisTls.sslOptions(config).orElse(null);
    if (ssl != null) {
      TlsStartupCheck.run(config, ssl);
    }
    return new RedisStores(config, failover, clock, ssl);
  }

  /** For tests: stores whose event connection is pinged every {@code pingInterval}. */
  static RedisStores create(StoreConfig config, Duration pingInterval) {
    return new RedisStores(requireNonNull(config, "config"), FailoverConfig.DEFAULT,
        InstantSource.system(), JedisTls.sslOptions(config).orElse(null),
        requireNonNull(pingInterval, "pingInterval"));
  }

  /**
   * Stores configured from the environment and system properties, as
   * {@link StoreConfig#fromEnv()} and {@link FailoverConfig#fromEnv()} read them: failover-wrapped
   * unless {@code CANVASSTATE_FALLBACK=false}. Does not connect, except for the TLS check.
   *
   * @throws IllegalArgumentException if a setting is invalid or no Redis is configured
   * @throws IllegalStateException if settings conflict
   * @throws StoreException if the TLS check fails
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
    return new RedisCanvasStore<>(backend, codec, marks, slides, events);
  }

  /**
   * A canvas store using {@code codec}, sharing this factory's connections, with
   * {@code persistence}: its writes are recorded for {@code persistence}'s
   * {@linkplain Persistence#startWorker() auto-save workers}, a project with unsaved changes does
   * not expire, and a project Redis does not hold is loaded from the repository when it is
   * asked for (see {@link Persistence}). Stores without persistence pay nothing for it.
   *
   * <p>Failover-wrapped if the fallback is enabled: a {@link
   * io.canvasstate.failover.FailoverCanvasStore} with a failover state of its own (its
   * {@code failover()}), whose primary is the Redis store with persistence, so that the changes
   * made during an outage are recorded, and saved, when they are written back. Else the bare
   * {@link RedisCanvasStore}, as {@link #redisCanvas(Codec, Persistence)} returns it.
   *
   * @throws IllegalStateException if {@code persistence} is attached to another store already,
   *     or this factory is closed
   */
  public <T> CanvasStore<T> canvas(Codec<T> codec, Persistence<T> persistence) {
    if (!config.fallbackEnabled()) {
      return redisCanvas(codec, persistence);
    }
    requireNonNull(codec, "codec");
    Codec<byte[]> bytes = SharedBytesCodec.INSTANCE;
    RedisCanvasStore<byte[]> primary = withPersistence(bytes, codec, persistence, singleServer());
    FailoverStore own = failoverBuilder(failoverConfig, clock)
        .canvas(primary, InMemoryCanvasStore.builder(bytes).clock(clock).ttl(config.ttl())
            .maxValueBytes(config.maxValueBytes())
            .maxCanvasObjects(config.maxCanvasObjects()).instanceId(events.instanceId()).build())
        .build();
    persistentFailovers.add(own);
    return own.canvas(codec);
  }

  /**
   * The bare Redis canvas store using {@code codec}, with {@code persistence} (see
   * {@link #canvas(Codec, Persistence)}), without failover whatever the configuration.
   *
   * @throws IllegalStateException if {@code persistence} is attached to another store already,
   *     or this factory is closed
   */
  public <T> RedisCanvasStore<T> redisCanvas(Codec<T> codec, Persistence<T> persistence) {
    return redisCanvas(codec, persistence, singleServer());
  }

  /**
   * The bare Redis canvas store with persistence whose write scripts list their project among
   * the dirty ones themselves ({@code singleServer}), or pipeline that as on a Cluster.
   */
  <T> RedisCanvasStore<T> redisCanvas(Codec<T> codec, Persistence<T> persistence,
      boolean singleServer) {
    return withPersistence(codec, codec, persistence, singleServer);
  }

  /**
   * A Redis store of values encoded by {@code codec} with {@code persistence}, which decodes
   * them with {@code objects} (the same codec, or the typed one over a byte store).
   */
  private <V, T> RedisCanvasStore<V> withPersistence(Codec<V> codec, Codec<T> objects,
      Persistence<T> persistence, boolean singleServer) {
    requireNonNull(codec, "codec");
    requireNonNull(persistence, "persistence");
    backend.requireOpen();
    RedisChangeLog log =
        new RedisChangeLog(backend, singleServer, persistence.config().loadLease());
    persistence.attach(log, objects);
    evictionPolicy.check(backend);
    return new RedisCanvasStore<>(backend, codec, marks, slides, events, persistence, log);
  }

  /** Whether every key can be reached from one script: not on a Cluster. */
  private boolean singleServer() {
    return config.deployment() != StoreConfig.Deployment.CLUSTER;
  }

  /**
   * The bare Redis presence store using {@code codec}, without failover whatever the
   * configuration.
   *
   * @throws IllegalStateException if this factory is closed
   */
  public <P> RedisPresenceStore<P> redisPresence(Codec<P> codec) {
    backend.requireOpen();
    return new RedisPresenceStore<>(backend, codec, events);
  }

  /**
   * A room presence store using {@code codec}, with the {@linkplain RoomConfig#DEFAULT default}
   * lease; see {@link #rooms(Codec, RoomConfig)}.
   *
   * @throws IllegalStateException if this factory is closed
   */
  public <P> RoomPresenceStore<P> rooms(Codec<P> codec) {
    return rooms(codec, RoomConfig.DEFAULT);
  }

  /**
   * A room presence store using {@code codec} and {@code rooms}' lease, sharing this factory's
   * connections and instance id: failover-wrapped if the fallback is enabled, else the bare
   * {@link RedisRoomPresenceStore}. Each store holds a lease of its own; closing it ends that
   * lease (its connections end), not the others'.
   *
   * @throws IllegalStateException if this factory is closed
   */
  public <P> RoomPresenceStore<P> rooms(Codec<P> codec, RoomConfig rooms) {
    requireNonNull(codec, "codec");
    requireNonNull(rooms, "rooms");
    if (failover == null) {
      return redisRooms(codec, rooms);
    }
    backend.requireOpen();
    Codec<byte[]> bytes = SharedBytesCodec.INSTANCE;
    return failover.rooms(codec, new RedisRoomPresenceStore<>(backend, bytes, events, rooms),
        InMemoryRoomPresenceStore.builder(bytes).clock(clock).ttl(config.ttl())
            .maxValueBytes(config.maxValueBytes()).instanceId(events.instanceId()).config(rooms)
            .build());
  }

  /**
   * The bare Redis room presence store using {@code codec} and {@code rooms}' lease, without
   * failover whatever the configuration.
   *
   * @throws IllegalStateException if this factory is closed
   */
  public <P> RedisRoomPresenceStore<P> redisRooms(Codec<P> codec, RoomConfig rooms) {
    backend.requireOpen();
    RedisRoomPresenceStore<P> store = new RedisRoomPresenceStore<>(backend, codec, events, rooms);
    roomStores.add(store);
    return store;
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

  /**
   * The id that every store of this factory puts on the change events it publishes: random,
   * unique per {@code RedisStores} (so per instance of an application).
   */
  public String instanceId() {
    return events.instanceId();
  }

  /**
   * The connection pool's figures now (see {@link PoolStats}), for metrics: cheap, never
   * contacts Redis.
   */
  public PoolStats poolStats() {
    return backend.poolStats();
  }

  /** Whether the event connection is up and subscribed; false before the first subscription. */
  boolean eventsConnected() {
    return events.isConnected();
  }

  /** The configuration these stores use. */
  public StoreConfig config() {
    return config;
  }

  /**
   * Ends the leases of the room stores handed out (their connections end at once), closes the
   * failover state (which first writes back what changed during an outage if Redis
   * answers again, and reports what it could not as dropped), the event connection and its
   * threads, and then the connection pool; the stores handed out stop working and no more events
   * are delivered to their listeners. Idempotent.
   */
  @Override
  public void close() {
    try {
      roomStores.forEach(RedisRoomPresenceStore::close);
      persistentFailovers.forEach(FailoverStore::close);
      if (failover != null) {
        failover.close();
      }
    } finally {
      events.close();
      backend.close();
    }
  }

  @Override
  public String toString() {
    return "RedisStores[" + config + (backend.isClosed() ? ", closed" : "") + "]";
  }
}
