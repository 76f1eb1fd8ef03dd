package io.canvasstate.redis;

import static io.canvasstate.redis.RedisBytes.bytes;
import static io.canvasstate.redis.RedisBytes.number;
import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceEvent;
import io.canvasstate.PresenceListener;
import io.canvasstate.PresenceStore;
import io.canvasstate.ResyncReason;
import io.canvasstate.StoreConfig;
import io.canvasstate.Subscription;
import io.canvasstate.internal.DecodeFailures;
import io.canvasstate.internal.EventHub;
import io.canvasstate.internal.Values;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PresenceStore} in Redis: the hash {@code presence:{users}} (user id &rarr; presence
 * JSON) and the sorted set {@code presence:{users}:active} (user id &rarr; expiry time in ms, from
 * Redis' clock), under one hash tag so that a heartbeat is one atomic script even on a cluster.
 *
 * <p>A heartbeat ({@link #put}) writes both and sets both keys' TTL to the presence TTL, so they
 * vanish when nobody is left. {@link #get} answers only for a presence that has not expired and
 * does not extend it. {@link #getAll} and {@link #activeUsers} first remove what expired, which
 * costs what expired, in the same round trip as their read. Every operation is one round trip.
 *
 * <p>Every change publishes its event on {@code presence:{users}:events} from inside its script
 * (see {@link EventScripts}). While this store has listeners it also sweeps every
 * {@linkplain #sweepInterval second or so}: one script removes the presences that expired and
 * publishes a {@code left} for each, so that listeners on every instance hear of an expiry
 * although nobody reads. Sweeps of several instances do not collide: each expiry is removed,
 * and announced, by exactly one script. Listeners are called on the event connection's thread.
 *
 * <p>On a Redis Cluster both keys carry the {@code {users}} hash tag, so every operation,
 * {@link #getAll} and {@link #activeUsers} included, runs on one node in one round trip and is
 * as atomic as on one server; the price is that all presence lives on that one node.
 *
 * <p>Obtained from {@link RedisStores#redisPresence} (or, failover-wrapped, from
 * {@link RedisStores#presence}); {@link #close()} does not close the connection pool.
 * Thread-safe.
 *
 * @param <P> the type of a user's presence
 */
public final class RedisPresenceStore<P> implements PresenceStore<P> {
  private static final Logger LOG = LoggerFactory.getLogger(RedisPresenceStore.class);
  private static final Long ONE = 1L;
  private static final String ALL = "";

  private final RedisBackend backend;
  private final Codec<P> codec;
  private final int maxValueBytes;
  private final byte[] ttlArg;
  private final String hashKey;
  /** Both keys, as error messages name them: a wrong type may be either one's. */
  private final String bothKeys;
  private final byte[] hash;
  private final String activeKey;
  private final byte[] active;
  private final List<byte[]> keys;
  private final DecodeFailures decodeFailures = new DecodeFailures();
  private final DecodeFailures undecodableEvents = new DecodeFailures();
  private final RedisEvents events;
  private final String channel;
  private final byte[] channelBytes;
  private final byte[] instanceIdArg;
  private final Duration sweepInterval;
  private final Sink sink = new Sink();
  private final EventHub<String, PresenceEvent<P>> hub;
  /** The sweep while there are listeners; guarded by the hub's lock. */
  private volatile @Nullable ScheduledFuture<?> sweep;
  private volatile boolean closed;

  RedisPresenceStore(RedisBackend backend, Codec<P> codec, RedisEvents events) {
    this.backend = backend;
    this.codec = requireNonNull(codec, "codec");
    KeySchema schema = backend.config().keySchema();
    this.maxValueBytes = backend.config().maxValueBytes();
    this.ttlArg = number(backend.config().ttl().presenceTtl().toMillis());
    this.hashKey = schema.presenceKey();
    this.bothKeys = hashKey + "\" / \"" + schema.activeUsersKey();
    this.hash = bytes(hashKey);
    this.activeKey = schema.activeUsersKey();
    this.active = bytes(activeKey);
    this.keys = List.of(hash, active);
    this.events = events;
    this.channel = hashKey + ":events";
    this.channelBytes = bytes(channel);
    this.instanceIdArg = bytes(events.instanceId());
    this.sweepInterval = sweepInterval(backend.config().ttl().presenceTtl());
    this.hub = new EventHub<>("presence events of " + events.instanceId(), new EventHub.KeyWatcher<>() {
      @Override
      public void firstListener(String key) {
        events.add(channel, sink);
        sweep = events.every(sweepInterval, RedisPresenceStore.this::sweepExpired);
      }

      @Override
      public void lastListenerGone(String key) {
        stopSweeping();
      }
    });
  }

  /**
   * How often a store with listeners looks for expired presences: a quarter of the presence
   * TTL, between 50 ms and 1 s, so that a {@code left} follows an expiry within about a second.
   */
  static Duration sweepInterval(Duration presenceTtl) {
    long ms = Math.max(50, Math.min(1_000, presenceTtl.toMillis() / 4));
    return Duration.ofMillis(ms);
  }

  /** How many stored presences {@link #getAll} has left out because they could not be decoded. */
  public long undecodableValues() {
    return decodeFailures.count();
  }

  @Override
  public void put(String userId, P presence) {
    Values.id("userId", userId);
    byte[] value = Values.encode(codec, userId, presence, maxValueBytes);
    script("put", Scripts.PRESENCE_PUT, List.of(ttlArg, bytes(userId), value));
  }

  @Override
  public Optional<P> get(String userId) {
    Values.id("userId", userId);
    Object reply = script("get", Scripts.PRESENCE_GET, List.of(bytes(userId)));
    if (reply == null) {
      return Optional.empty();
    }
    return Optional.of(Values.decode(codec, hashKey, userId, (byte[]) reply));
  }

  @Override
  public boolean remove(String userId) {
    Values.id("userId", userId);
    return ONE.equals(script("remove", Scripts.PRESENCE_REMOVE, List.of(bytes(userId))));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One round trip, to the one node that holds {@code {users}} on a cluster: a script drops
   * the expired presences (atomically), then the hash is read in the same pipeline.
   *
   * @throws io.canvasstate.StoreUnavailableException if Redis cannot be reached
   * @throws io.canvasstate.StoreException if a presence key holds the wrong type
   */
  @Override
  public Map<String, P> getAll() {
    requireOpen();
    Batch batch = backend.batch("getAll");
    Batch.Step<@Nullable Object> pruned = step(batch, Scripts.PRESENCE_PRUNE, List.of());
    Batch.Step<Map<byte[], byte[]>> all = batch.command(hashKey, p -> p.hgetAll(hash));
    batch.run();
    pruned.get();
    Map<byte[], byte[]> raw = all.get();
    return raw == null ? Map.of() : RedisBytes.decodeAll(codec, hashKey, raw.entrySet(), decodeFailures);
  }

  @Override
  public Set<String> activeUsers() {
    requireOpen();
    Batch batch = backend.batch("activeUsers");
    Batch.Step<@Nullable Object> pruned = step(batch, Scripts.PRESENCE_PRUNE, List.of());
    Batch.Step<List<byte[]>> users = batch.command(activeKey, p -> p.zrange(active, 0, -1));
    batch.run();
    pruned.get();
    List<byte[]> raw = users.get();
    return raw == null ? Set.of() : RedisBytes.strings(raw);
  }

  private @Nullable Object script(String op, Script script, List<byte[]> args) {
    requireOpen();
    Batch batch = backend.batch(op);
    Batch.Step<@Nullable Object> reply = step(batch, script, args);
    batch.run();
    return reply.get();
  }

  /**
   * Adds a presence script to a batch: a write as its {@linkplain EventScripts event version},
   * which also gets the channel and this instance's id.
   */
  private Batch.Step<@Nullable Object> step(Batch batch, Script script, List<byte[]> args) {
    return EventScripts.add(batch, script, EventScripts.presence(script), bothKeys, keys,
        channelBytes, args, instanceIdArg);
  }

  @Override
  public Subscription subscribe(PresenceListener<P> listener) {
    requireNonNull(listener, "listener");
    requireOpen();
    Subscription subscription = hub.subscribe(ALL, listener::onEvent);
    StoreConfig config = backend.config();
    events.awaitOrOweResync(channel, sink, config.connectTimeout().plus(config.timeout()));
    return subscription;
  }

  @Override
  public String instanceId() {
    return events.instanceId();
  }

  /**
   * Removes the presences that have expired and publishes a {@code left} (expired) for each, in
   * one script. The store runs it every {@link #sweepInterval} while it has listeners; it can be
   * called at any time. A failure (Redis down) is logged at DEBUG: the next sweep tries again.
   */
  void sweepExpired() {
    if (closed || backend.isClosed()) {
      return;
    }
    try {
      Batch batch = backend.batch("sweep");
      Batch.Step<@Nullable Object> pruned = step(batch, Scripts.PRESENCE_PRUNE, List.of());
      batch.run();
      pruned.get();
    } catch (RuntimeException e) {
      LOG.debug("Presence sweep failed; the next one tries again: {}", e.toString());
    }
  }

  private void stopSweeping() {
    events.remove(channel, sink);
    ScheduledFuture<?> s = sweep;
    sweep = null;
    if (s != null) {
      s.cancel(false);
    }
  }

  /** Turns the presence channel's messages into events for this store's listeners. */
  private final class Sink implements RedisEvents.Sink {
    @Override
    public void onMessage(byte[] message) {
      EventMessage m = EventMessage.parse(message).orElse(null);
      PresenceEvent<P> event = null;
      if (m != null) {
        switch (m.kind()) {
          case 'J', 'U' -> event = joinedOrUpdated(m);
          case 'L' -> event = new PresenceEvent.Left<>(m.id(), PresenceEvent.Left.Reason.REMOVED,
              m.instanceId());
          case 'E' -> event = new PresenceEvent.Left<>(m.id(), PresenceEvent.Left.Reason.EXPIRED,
              m.instanceId());
          default -> { }
        }
      }
      if (event == null) {
        LOG.debug("Ignored a message on {} that is not a CanvasState event", channel);
        return;
      }
      hub.publish(ALL, event);
    }

    private PresenceEvent<P> joinedOrUpdated(EventMessage m) {
      P value;
      try {
        value = Values.decode(codec, channel, m.id(), m.value());
      } catch (CodecException e) {
        undecodableEvents.record(channel, m.id(), e);
        return new PresenceEvent.Resync<>(ResyncReason.UNDECODABLE_EVENT);
      }
      return m.kind() == 'J'
          ? new PresenceEvent.Joined<>(m.id(), value, m.instanceId())
          : new PresenceEvent.Updated<>(m.id(), value, m.instanceId());
    }

    @Override
    public void onResync(ResyncReason reason) {
      hub.publish(ALL, new PresenceEvent.Resync<>(reason));
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this RedisPresenceStore is closed");
    }
    backend.requireOpen();
  }

  /**
   * Marks this store closed, ends its subscriptions and its sweep; the connection pool and the
   * event connection stay open (they are {@link RedisStores}').
   */
  @Override
  public void close() {
    closed = true;
    hub.close();
    stopSweeping();
  }

  @Override
  public String toString() {
    return "RedisPresenceStore[" + codec + ", " + backend.config().keySchema() + ", ttl="
        + backend.config().ttl().presenceTtl() + (closed ? ", closed" : "") + "]";
  }
}
