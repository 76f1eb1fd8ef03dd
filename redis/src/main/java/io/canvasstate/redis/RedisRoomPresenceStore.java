package io.canvasstate.redis;

import static io.canvasstate.redis.RedisBytes.bytes;
import static io.canvasstate.redis.RedisBytes.number;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceEvent.Left.Reason;
import io.canvasstate.ResyncReason;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomConnection;
import io.canvasstate.RoomEvent;
import io.canvasstate.RoomListener;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.Subscription;
import io.canvasstate.internal.DecodeFailures;
import io.canvasstate.internal.EventHub;
import io.canvasstate.internal.InstanceIds;
import io.canvasstate.internal.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.params.ZAddParams;

/**
 * A {@link RoomPresenceStore} in Redis: three keys per room under the room's hash tag, so that
 * every operation on a room is one atomic script on one node, and rooms spread over a Cluster.
 *
 * <table>
 *   <caption>Keys of room {@code r}, for the prefix {@code ""}</caption>
 *   <tr><th>key</th><th>type</th><th>holds</th></tr>
 *   <tr><td>{@code room:{r}:connections}</td><td>hash</td>
 *       <td>{@code <userId>:<connectionId>} &rarr; the connection's value (JSON)</td></tr>
 *   <tr><td>{@code room:{r}:ends}</td><td>sorted set</td>
 *       <td>{@code <userId>:<connectionId>} &rarr; when the connection ends, and
 *       {@code <owner>} &rarr; when that owner's lease ends (ms, Redis' clock)</td></tr>
 *   <tr><td>{@code room:{r}:index}</td><td>hash</td>
 *       <td>{@code <userId>:<connectionId>} &rarr; its owner; {@code <userId>} &rarr; how many
 *       connections the user has</td></tr>
 *   <tr><td>{@code room:{r}:events}</td><td>channel</td><td>the room's events</td></tr>
 * </table>
 *
 * <p>The <em>owner</em> of a connection is this store (a random id per store, so that closing
 * one store of an application never ends another's connections). The store refreshes its lease
 * in every room where it heartbeated within the presence lifetime, every third of the lease,
 * from a daemon thread ({@code canvasstate-room-lease-<owner>}); if the process dies, the lease
 * runs out and the next script that touches the room drops the owner's connections and
 * publishes their {@code left}. Every script first drops what ended (costs what ended), so reads
 * never report an ended connection even if no instance sweeps; instances with listeners on a
 * room also run that prune every {@link RoomConfig#sweepInterval()}. Times come from Redis'
 * {@code TIME}. The keys live {@code max(presenceTtl, lease)} + 60 s after the last heartbeat.
 *
 * <p>Reads are a prune script and plain reads in one pipeline, one round trip: {@link #list}
 * and {@link #get} read the room's hash ({@code HGETALL}, what is in the room), {@link #count}
 * two {@code HLEN}s. Obtained from {@link RedisStores#redisRooms} (or, failover-wrapped, from
 * {@link RedisStores#rooms}). Thread-safe.
 *
 * @param <P> the type of a connection's value
 */
public final class RedisRoomPresenceStore<P> implements RoomPresenceStore<P> {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRoomPresenceStore.class);
  private static final Long ONE = 1L;
  private static final byte[] YES = bytes("1");
  private static final byte[] NO = bytes("0");
  /** How often a store restarts the lifetime of a room's keys, at most. */
  private static final long SLIDE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How long a room's keys outlive its last heartbeat's connection, for the sweep. */
  static final long KEY_GRACE_MS = 60_000;

  private final RedisBackend backend;
  private final Codec<P> codec;
  private final RedisEvents events;
  private final RoomConfig config;
  private final KeySchema schema;
  private final int maxValueBytes;
  private final long ttlMillis;
  private final byte[] ttlArg;
  private final byte[] leaseArg;
  private final byte[] keepArg;
  private final String owner;
  private final byte[] ownerArg;
  private final byte[] instanceIdArg;
  private final DecodeFailures decodeFailures = new DecodeFailures();
  private final DecodeFailures undecodableEvents = new DecodeFailures();
  /** Rooms this store heartbeated in &rarr; when last (System.nanoTime()): where its lease is. */
  private final Map<String, Long> served = new ConcurrentHashMap<>();
  /** Rooms &rarr; when this store last restarted their keys' lifetime (System.nanoTime()). */
  private final Map<String, Long> slid = new ConcurrentHashMap<>();
  private final Map<String, Sink> sinks = new ConcurrentHashMap<>();
  private final EventHub<String, RoomEvent<P>> hub;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private @Nullable ScheduledExecutorService leaseThread;
  /** The sweep while there are listeners; changed under the hub's lock. */
  private volatile @Nullable ScheduledFuture<?> sweep;
  private volatile boolean closed;

  RedisRoomPresenceStore(RedisBackend backend, Codec<P> codec, RedisEvents events,
      RoomConfig config) {
    this.backend = backend;
    this.codec = requireNonNull(codec, "codec");
    this.events = events;
    this.config = requireNonNull(config, "config");
    StoreConfig store = backend.config();
    this.schema = store.keySchema();
    this.maxValueBytes = store.maxValueBytes();
    this.ttlMillis = store.ttl().presenceTtl().toMillis();
    this.ttlArg = number(ttlMillis);
    this.leaseArg = number(config.lease().toMillis());
    this.keepArg = number(Math.max(ttlMillis, config.lease().toMillis()) + KEY_GRACE_MS);
    this.owner = InstanceIds.random();
    this.ownerArg = bytes(owner);
    this.instanceIdArg = bytes(events.instanceId());
    this.hub = new EventHub<>("room events of " + events.instanceId(), new EventHub.KeyWatcher<>() {
      @Override
      public void firstListener(String roomId) {
        Sink sink = new Sink(roomId);
        sinks.put(roomId, sink);
        events.add(channel(roomId), sink);
        if (sweep == null) {
          sweep = events.every(config.sweepInterval(), RedisRoomPresenceStore.this::sweep);
        }
      }

      @Override
      public void lastListenerGone(String roomId) {
        Sink sink = sinks.remove(roomId);
        if (sink != null) {
          events.remove(channel(roomId), sink);
        }
        if (!hub().hasAnyListener()) {
          stopSweeping();
        }
      }
    });
  }

  private EventHub<String, RoomEvent<P>> hub() {
    return hub;
  }

  @Override
  public void heartbeat(String roomId, String userId, String connectionId, P value) {
    Values.connectionIds(roomId, userId, connectionId);
    requireNonNull(value, "value");
    byte[] encoded = Values.encode(codec, connectionId, value, maxValueBytes);
    requireOpen();
    long now = System.nanoTime();
    served.put(roomId, now);
    startLeaseThread();
    room("heartbeat", roomId, RoomScripts.HEARTBEAT, List.of(instanceIdArg, ttlArg, leaseArg,
        ownerArg, bytes(userId + ":" + connectionId), bytes(userId), encoded, keepArg,
        slideDue(roomId, now) ? YES : NO));
  }

  @Override
  public boolean leave(String roomId, String userId, String connectionId) {
    Values.connectionIds(roomId, userId, connectionId);
    requireOpen();
    return ONE.equals(room("leave", roomId, RoomScripts.LEAVE,
        List.of(instanceIdArg, bytes(userId + ":" + connectionId))));
  }

  @Override
  public Map<String, P> get(String roomId, String userId) {
    Values.id("roomId", roomId);
    Values.id("userId", userId);
    String prefix = userId + ":";
    Map<String, P> out = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : read("get", roomId).entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        out.put(e.getKey().substring(prefix.length()),
            Values.decode(codec, connectionsKey(roomId), e.getKey(), e.getValue()));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public List<RoomConnection<P>> list(String roomId) {
    Values.id("roomId", roomId);
    Map<String, byte[]> raw = read("list", roomId);
    List<RoomConnection<P>> out = new ArrayList<>(raw.size());
    String key = connectionsKey(roomId);
    for (Map.Entry<String, byte[]> e : raw.entrySet()) {
      String field = e.getKey();
      int colon = field.indexOf(':');
      if (colon < 0) {
        continue;
      }
      try {
        out.add(new RoomConnection<>(field.substring(0, colon), field.substring(colon + 1),
            Values.decode(codec, key, field, e.getValue())));
      } catch (CodecException ex) {
        decodeFailures.record(key, field, ex);
      }
    }
    out.sort(Comparator.comparing((RoomConnection<P> c) -> c.userId())
        .thenComparing(RoomConnection::connectionId));
    return Collections.unmodifiableList(out);
  }

  @Override
  public int count(String roomId) {
    Values.id("roomId", roomId);
    requireOpen();
    Batch batch = backend.batch("count");
    Batch.Step<@Nullable Object> pruned = prune(batch, roomId);
    byte[] index = bytes(schema.roomKey(roomId, "index"));
    byte[] connections = bytes(connectionsKey(roomId));
    Batch.Step<Long> entries = batch.command(schema.roomKey(roomId, "index"), p -> p.hlen(index));
    Batch.Step<Long> live = batch.command(connectionsKey(roomId), p -> p.hlen(connections));
    batch.run();
    pruned.get();
    return (int) (entries.get() - live.get());
  }

  @Override
  public Subscription subscribe(String roomId, RoomListener<P> listener) {
    Values.id("roomId", roomId);
    requireNonNull(listener, "listener");
    requireOpen();
    Subscription subscription = hub.subscribe(roomId, listener::onEvent);
    Sink sink = sinks.get(roomId);
    if (sink != null) {
      StoreConfig c = backend.config();
      events.awaitOrOweResync(channel(roomId), sink, c.connectTimeout().plus(c.timeout()));
    }
    return subscription;
  }

  @Override
  public String instanceId() {
    return events.instanceId();
  }

  @Override
  public Duration lease() {
    return config.lease();
  }

  /** How many stored values {@link #list} has left out because they could not be decoded. */
  public long undecodableValues() {
    return decodeFailures.count();
  }

  /**
   * Ends this store's lease in every room it served (its connections end; the next prune
   * there announces them as expired), stops refreshing it and ends the subscriptions; the
   * connection pool stays open. Idempotent. Ending the leases is one pipelined {@code ZADD XX}
   * per room, best effort: if Redis cannot be reached they run out by themselves.
   */
  @Override
  public void close() {
    if (!stop()) {
      return;
    }
    if (served.isEmpty() || backend.isClosed()) {
      return;
    }
    try {
      Batch batch = backend.batch("close");
      for (String roomId : served.keySet()) {
        byte[] ends = bytes(schema.roomKey(roomId, "ends"));
        batch.command(schema.roomKey(roomId, "ends"),
            p -> p.zadd(ends, 0, ownerArg, ZAddParams.zAddParams().xx()));
      }
      batch.run();
    } catch (RuntimeException e) {
      LOG.debug("Ending the room leases at close failed; they run out within {}: {}",
          config.lease(), e.toString());
    }
  }

  /**
   * For tests: stops as a killed process would, without telling Redis anything: the lease is
   * refreshed no more, the listeners hear nothing more.
   */
  void crash() {
    stop();
  }

  /** Marks the store closed and stops its threads; false if it was already. */
  private boolean stop() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      if (leaseThread != null) {
        leaseThread.shutdownNow();
        leaseThread = null;
      }
    }
    hub.close();
    sinks.forEach((roomId, sink) -> events.remove(channel(roomId), sink));
    sinks.clear();
    stopSweeping();
    return true;
  }

  @Override
  public String toString() {
    return "RedisRoomPresenceStore[" + codec + ", " + schema + ", presenceTtl="
        + backend.config().ttl().presenceTtl() + ", " + config + ", owner=" + owner
        + (closed ? ", closed" : "") + "]";
  }

  // ---- internals ----

  private String connectionsKey(String roomId) {
    return schema.roomKey(roomId, "connections");
  }

  private String channel(String roomId) {
    return schema.roomKey(roomId, "events");
  }

  private List<byte[]> keys(String roomId) {
    return List.of(bytes(connectionsKey(roomId)), bytes(schema.roomKey(roomId, "ends")),
        bytes(schema.roomKey(roomId, "index")), bytes(channel(roomId)));
  }

  private @Nullable Object room(String op, String roomId, Script script, List<byte[]> args) {
    Batch batch = backend.batch(op);
    Batch.Step<@Nullable Object> reply =
        batch.script(script, connectionsKey(roomId), keys(roomId), args);
    batch.run();
    return reply.get();
  }

  private Batch.Step<@Nullable Object> prune(Batch batch, String roomId) {
    return batch.script(RoomScripts.PRUNE, connectionsKey(roomId), keys(roomId),
        List.of(instanceIdArg));
  }

  /** Prunes the room and reads its hash, in one round trip: field &rarr; value. */
  private Map<String, byte[]> read(String op, String roomId) {
    requireOpen();
    Batch batch = backend.batch(op);
    Batch.Step<@Nullable Object> pruned = prune(batch, roomId);
    byte[] key = bytes(connectionsKey(roomId));
    Batch.Step<Map<byte[], byte[]>> all =
        batch.command(connectionsKey(roomId), p -> p.hgetAll(key));
    batch.run();
    pruned.get();
    Map<byte[], byte[]> raw = all.get();
    if (raw == null || raw.isEmpty()) {
      return Map.of();
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(new String(k, UTF_8), v));
    return out;
  }

  /** Prunes every room with listeners, so that ended connections are announced. */
  private void sweep() {
    if (closed || backend.isClosed()) {
      return;
    }
    List<String> rooms = List.copyOf(hub.keys());
    if (rooms.isEmpty()) {
      return;
    }
    try {
      Batch batch = backend.batch("sweep");
      List<Batch.Step<@Nullable Object>> steps = new ArrayList<>(rooms.size());
      for (String roomId : rooms) {
        steps.add(prune(batch, roomId));
      }
      batch.run();
      steps.forEach(Batch.Step::get);
    } catch (RuntimeException e) {
      LOG.debug("Room sweep failed; the next one tries again: {}", e.toString());
    }
  }

  private void stopSweeping() {
    ScheduledFuture<?> s = sweep;
    sweep = null;
    if (s != null) {
      s.cancel(false);
    }
  }

  /**
   * Whether this heartbeat should restart the lifetime of the room's keys: once a second per
   * room and store (a new connection always does, in the script). The keys outlive the last
   * heartbeat by 60 s more than a connection, so a second's lag costs nothing, and a live
   * connection's heartbeat skips three calls.
   */
  private boolean slideDue(String roomId, long now) {
    Long last = slid.get(roomId);
    if (last != null && now - last < SLIDE_INTERVAL_NANOS) {
      return false;
    }
    slid.put(roomId, now);
    return true;
  }

  private void startLeaseThread() {
    if (leaseThread != null) {
      return;
    }
    synchronized (lock) {
      if (leaseThread != null || closed) {
        return;
      }
      ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "canvasstate-room-lease-" + owner);
        t.setDaemon(true);
        return t;
      });
      long period = Math.max(1, config.refreshInterval().toMillis());
      executor.scheduleWithFixedDelay(this::refreshLeases, period, period, TimeUnit.MILLISECONDS);
      leaseThread = executor;
    }
  }

  /**
   * Refreshes the lease in every room this store heartbeated in within the presence lifetime
   * (older ones have no live connection of it left), in one pipeline. A failure is logged at
   * DEBUG: the next refresh tries again, and the lease is three refreshes long.
   */
  void refreshLeases() {
    if (closed || backend.isClosed()) {
      return;
    }
    long stale = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(ttlMillis);
    served.values().removeIf(last -> last - stale < 0);
    slid.keySet().retainAll(served.keySet());
    if (served.isEmpty()) {
      return;
    }
    try {
      Batch batch = backend.batch("refreshLease");
      List<Batch.Step<@Nullable Object>> steps = new ArrayList<>();
      for (String roomId : served.keySet()) {
        String ends = schema.roomKey(roomId, "ends");
        steps.add(batch.script(RoomScripts.LEASE, ends, List.of(bytes(ends)),
            List.of(ownerArg, leaseArg)));
      }
      batch.run();
      steps.forEach(Batch.Step::get);
    } catch (RuntimeException e) {
      LOG.debug("Refreshing the room leases failed; the next refresh tries again: {}",
          e.toString());
    }
  }


  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this RedisRoomPresenceStore is closed");
    }
    backend.requireOpen();
  }

  /** Turns a room channel's messages into events for this store's listeners. */
  private final class Sink implements RedisEvents.Sink {
    private final String roomId;

    Sink(String roomId) {
      this.roomId = roomId;
    }

    @Override
    public void onMessage(byte[] message) {
      EventMessage m = EventMessage.parse(message).orElse(null);
      int colon = m == null ? -1 : m.id().indexOf(':');
      if (m == null || colon < 0) {
        LOG.debug("Ignored a message on {} that is not a CanvasState event", channel(roomId));
        return;
      }
      String user = m.id().substring(0, colon);
      String connection = m.id().substring(colon + 1);
      RoomEvent<P> event = switch (m.kind()) {
        case 'J', 'j', 'U' -> joinedOrUpdated(m, user, connection);
        case 'L', 'l' -> new RoomEvent.Left<>(roomId, user, connection, Reason.REMOVED,
            m.kind() == 'L', m.instanceId());
        case 'E', 'e' -> new RoomEvent.Left<>(roomId, user, connection, Reason.EXPIRED,
            m.kind() == 'E', m.instanceId());
        default -> null;
      };
      if (event != null) {
        hub.publish(roomId, event);
      }
    }

    private RoomEvent<P> joinedOrUpdated(EventMessage m, String user, String connection) {
      P value;
      try {
        value = Values.decode(codec, channel(roomId), m.id(), m.value());
      } catch (CodecException e) {
        undecodableEvents.record(channel(roomId), m.id(), e);
        return new RoomEvent.Resync<>(roomId, ResyncReason.UNDECODABLE_EVENT);
      }
      return m.kind() == 'U'
          ? new RoomEvent.Updated<>(roomId, user, connection, value, m.instanceId())
          : new RoomEvent.Joined<>(roomId, user, connection, value, m.kind() == 'J',
              m.instanceId());
    }

    @Override
    public void onResync(ResyncReason reason) {
      hub.publish(roomId, new RoomEvent.Resync<>(roomId, reason));
    }
  }
}
