package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceEvent;
import io.canvasstate.ResyncReason;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomConnection;
import io.canvasstate.RoomEvent;
import io.canvasstate.RoomListener;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.Subscription;
import io.canvasstate.TtlPolicy;
import io.canvasstate.internal.DecodeFailures;
import io.canvasstate.internal.EventHub;
import io.canvasstate.internal.InstanceIds;
import io.canvasstate.internal.Values;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RoomPresenceStore} in this process, with the same observable semantics as the Redis
 * store; also the fake for unit tests, on a {@link ManualClock}.
 *
 * <p>Several instances can share one state: {@link #newInstance()} returns a store of another
 * instance (another server, in a test) on the same rooms, with its own id and lease. An instance
 * that is not closed keeps its lease; {@link #crash()} makes it die as a killed process would:
 * its lease is no longer refreshed and ends {@link RoomConfig#lease()} later by the clock, and its
 * listeners hear nothing more. {@link #close()} ends the lease at once.
 *
 * <p>A connection ends {@linkplain TtlPolicy#presenceTtl() presenceTtl} after its last heartbeat
 * or when its instance's lease ends, by the injected clock. Reads drop what ended first, at a cost
 * of what ended. So that an ended connection produces its {@link RoomEvent.Left} although nobody
 * reads, the state runs one daemon thread while any of its instances has listeners, which looks
 * at the watched rooms every {@link RoomConfig#sweepInterval()} of real time ({@link
 * #sweepExpired()} does it at once).
 *
 * <p>Thread-safe: every operation is atomic; values are decoded outside the lock.
 *
 * @param <P> the type of a connection's value
 */
public final class InMemoryRoomPresenceStore<P> implements RoomPresenceStore<P> {
  private static final Comparator<ConnectionKey> ORDER =
      Comparator.comparing(ConnectionKey::userId).thenComparing(ConnectionKey::connectionId);

  private final Rooms<P> rooms;
  private final String instanceId;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private InMemoryRoomPresenceStore(Rooms<P> rooms, String instanceId) {
    this.rooms = rooms;
    this.instanceId = instanceId;
    synchronized (rooms.lock) {
      rooms.leaseEnds.put(instanceId, Long.MAX_VALUE);
    }
  }

  /** A store with the default lifetimes, lease and value limit, on the system clock. */
  public static <P> InMemoryRoomPresenceStore<P> create(Codec<P> codec) {
    return builder(codec).build();
  }

  /** A builder for a store that uses {@code codec}. */
  public static <P> Builder<P> builder(Codec<P> codec) {
    return new Builder<>(requireNonNull(codec, "codec"));
  }

  /**
   * A store of another instance on the same rooms, as a second server sharing one Redis would
   * be: a random instance id and a lease of its own.
   *
   * @throws IllegalStateException if this store is closed
   */
  public InMemoryRoomPresenceStore<P> newInstance() {
    ensureOpen();
    return new InMemoryRoomPresenceStore<>(rooms, InstanceIds.random());
  }

  /**
   * Makes this instance die without closing, as {@code kill -9} would: its lease ends
   * {@link RoomConfig#lease()} from now by the clock (it is refreshed no more), its listeners
   * hear nothing more, and later calls throw {@link IllegalStateException}. Its connections stay
   * until the lease ends; then the other instances see them leave.
   */
  public void crash() {
    if (closed) {
      return;
    }
    closed = true;
    subscriptions.forEach(Subscription::close);
    synchronized (rooms.lock) {
      rooms.leaseEnds.put(instanceId,
          ExpiryIndex.expiry(rooms.clock.millis(), ExpiryIndex.millis(rooms.config.lease())));
    }
  }

  @Override
  public void heartbeat(String roomId, String userId, String connectionId, P value) {
    Values.connectionIds(roomId, userId, connectionId);
    requireNonNull(value, "value");
    store(roomId, userId, connectionId,
        Values.encode(rooms.codec, connectionId, value, rooms.maxValueBytes));
  }

  @Override
  public boolean leave(String roomId, String userId, String connectionId) {
    Values.connectionIds(roomId, userId, connectionId);
    ensureOpen();
    boolean left = false;
    synchronized (rooms.lock) {
      Room room = rooms.rooms.get(roomId);
      if (room != null) {
        rooms.prune(roomId, room, rooms.clock.millis(), instanceId);
        left = rooms.drop(roomId, room, new ConnectionKey(userId, connectionId),
            PresenceEvent.Left.Reason.REMOVED, instanceId);
        rooms.forgetIfEmpty(roomId, room);
      }
    }
    rooms.hub.drain();
    return left;
  }

  @Override
  public Map<String, P> get(String roomId, String userId) {
    Values.id("roomId", roomId);
    Values.id("userId", userId);
    Map<String, byte[]> raw = new LinkedHashMap<>();
    for (Map.Entry<ConnectionKey, byte[]> e : snapshot(roomId).entrySet()) {
      if (e.getKey().userId().equals(userId)) {
        raw.put(e.getKey().connectionId(), e.getValue());
      }
    }
    Map<String, P> result = new LinkedHashMap<>();
    raw.forEach((c, bytes) -> result.put(c, Values.decode(rooms.codec, key(roomId), c, bytes)));
    return java.util.Collections.unmodifiableMap(result);
  }

  @Override
  public List<RoomConnection<P>> list(String roomId) {
    Values.id("roomId", roomId);
    List<RoomConnection<P>> result = new ArrayList<>();
    for (Map.Entry<ConnectionKey, byte[]> e : snapshot(roomId).entrySet()) {
      ConnectionKey k = e.getKey();
      try {
        result.add(new RoomConnection<>(k.userId(), k.connectionId(),
            Values.decode(rooms.codec, key(roomId), k.field(), e.getValue())));
      } catch (CodecException ex) {
        rooms.decodeFailures.record(key(roomId), k.field(), ex);
      }
    }
    return List.copyOf(result);
  }

  @Override
  public int count(String roomId) {
    Values.id("roomId", roomId);
    ensureOpen();
    int n;
    synchronized (rooms.lock) {
      Room room = rooms.rooms.get(roomId);
      if (room == null) {
        n = 0;
      } else {
        rooms.prune(roomId, room, rooms.clock.millis(), instanceId);
        n = room.users.size();
        rooms.forgetIfEmpty(roomId, room);
      }
    }
    rooms.hub.drain();
    return n;
  }

  @Override
  public Subscription subscribe(String roomId, RoomListener<P> listener) {
    Values.id("roomId", roomId);
    requireNonNull(listener, "listener");
    ensureOpen();
    Subscription s = rooms.hub.subscribe(roomId, listener::onEvent);
    subscriptions.add(s);
    return s;
  }

  @Override
  public String instanceId() {
    return instanceId;
  }

  @Override
  public Duration lease() {
    return rooms.config.lease();
  }

  /**
   * Drops the connections of the watched rooms that have ended by the clock now, delivering a
   * {@link RoomEvent.Left} with reason {@code EXPIRED} for each. The sweep thread calls it while
   * there are listeners; tests on a manual clock may call it directly.
   *
   * @throws IllegalStateException if the store is closed
   */
  public void sweepExpired() {
    ensureOpen();
    rooms.sweep(instanceId);
  }

  /** How many stored values {@link #list} has left out because they could not be decoded. */
  public long undecodableValues() {
    return rooms.decodeFailures.count();
  }

  /**
   * Stores raw bytes as a connection's value, bypassing the codec and the size limit, as another
   * client would; otherwise a {@link #heartbeat}.
   *
   * @throws IllegalArgumentException if an id is invalid
   * @throws IllegalStateException if the store is closed
   */
  public void heartbeatEncoded(String roomId, String userId, String connectionId, byte[] bytes) {
    Values.connectionIds(roomId, userId, connectionId);
    store(roomId, userId, connectionId, requireNonNull(bytes, "bytes").clone());
  }

  /**
   * Ends this instance's lease at once (its connections end; they are announced as expired),
   * ends its subscriptions; later calls throw {@link IllegalStateException}. Idempotent. The
   * state's sweep thread stops when no instance has listeners left.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    subscriptions.forEach(Subscription::close);
    synchronized (rooms.lock) {
      rooms.leaseEnds.put(instanceId, rooms.clock.millis());
    }
  }

  @Override
  public String toString() {
    return "InMemoryRoomPresenceStore[codec=" + rooms.codec + ", presenceTtl="
        + rooms.ttl.presenceTtl() + ", " + rooms.config + ", instanceId=" + instanceId
        + (closed ? ", closed" : "") + "]";
  }

  // ---- internals ----

  private void store(String roomId, String userId, String connectionId, byte[] bytes) {
    ensureOpen();
    synchronized (rooms.lock) {
      long now = rooms.clock.millis();
      Room room = rooms.rooms.computeIfAbsent(roomId, r -> new Room());
      rooms.prune(roomId, room, now, instanceId);
      ConnectionKey key = new ConnectionKey(userId, connectionId);
      Connection old = room.connections.get(key);
      boolean userJoined = old == null && !room.users.containsKey(userId);
      if (old != null) {
        room.expiries.remove(new Expiry(old.expiresAt(), key));
        room.owned(old.owner()).remove(key);
      } else {
        room.users.merge(userId, 1, Integer::sum);
      }
      long expiresAt = ExpiryIndex.expiry(now, rooms.ttlMillis);
      room.connections.put(key, new Connection(bytes, expiresAt, instanceId));
      room.expiries.add(new Expiry(expiresAt, key));
      room.owned(instanceId).add(key);
      rooms.emitPut(roomId, key, bytes, old == null, userJoined, instanceId);
    }
    rooms.hub.drain();
  }

  private Map<ConnectionKey, byte[]> snapshot(String roomId) {
    ensureOpen();
    Map<ConnectionKey, byte[]> raw = new LinkedHashMap<>();
    synchronized (rooms.lock) {
      Room room = rooms.rooms.get(roomId);
      if (room != null) {
        rooms.prune(roomId, room, rooms.clock.millis(), instanceId);
        room.connections.forEach((k, c) -> raw.put(k, c.bytes()));
        rooms.forgetIfEmpty(roomId, room);
      }
    }
    rooms.hub.drain();
    return raw;
  }

  private static String key(String roomId) {
    return KeySchema.DEFAULT.roomKey(roomId, "connections");
  }


  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("InMemoryRoomPresenceStore is closed");
    }
  }

  /** A connection's place in its room: by user, then connection. */
  private record ConnectionKey(String userId, String connectionId)
      implements Comparable<ConnectionKey> {
    @Override
    public int compareTo(ConnectionKey o) {
      return ORDER.compare(this, o);
    }

    String field() {
      return userId + ":" + connectionId;
    }
  }

  private record Connection(byte[] bytes, long expiresAt, String owner) {}

  private record Expiry(long at, ConnectionKey key) implements Comparable<Expiry> {
    @Override
    public int compareTo(Expiry o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : key.compareTo(o.key);
    }
  }

  /** One room: its connections, their expiries, users' connection counts, and owners. */
  private static final class Room {
    final TreeMap<ConnectionKey, Connection> connections = new TreeMap<>();
    final TreeSet<Expiry> expiries = new TreeSet<>();
    final Map<String, Integer> users = new HashMap<>();
    final Map<String, Set<ConnectionKey>> byOwner = new HashMap<>();

    Set<ConnectionKey> owned(String owner) {
      return byOwner.computeIfAbsent(owner, o -> new TreeSet<>());
    }
  }

  /** The state the instances share: rooms, leases, listeners and the sweep thread. */
  private static final class Rooms<P> {
    final Codec<P> codec;
    final InstantSource clock;
    final TtlPolicy ttl;
    final long ttlMillis;
    final int maxValueBytes;
    final RoomConfig config;
    final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    final Map<String, Room> rooms = new HashMap<>();
    /** Instance id &rarr; when its lease ends (ms); MAX_VALUE while it lives. Guarded by lock. */
    final Map<String, Long> leaseEnds = new HashMap<>();
    final DecodeFailures decodeFailures = new DecodeFailures();
    final EventHub<String, RoomEvent<P>> hub;
    /** Guarded by {@link #lock}. */
    @Nullable ScheduledExecutorService sweeper;

    Rooms(Builder<P> b) {
      this.codec = b.codec;
      this.clock = b.clock;
      this.ttl = b.ttl;
      this.ttlMillis = ExpiryIndex.millis(b.ttl.presenceTtl());
      this.maxValueBytes = b.maxValueBytes;
      this.config = b.config;
      this.hub = new EventHub<>("room events", new EventHub.KeyWatcher<>() {
        @Override
        public void firstListener(String key) {
          startSweeper();
        }

        @Override
        public void lastListenerGone(String key) {
          if (!hub().hasAnyListener()) {
            stopSweeper();
          }
        }
      });
    }

    private EventHub<String, RoomEvent<P>> hub() {
      return hub;
    }

    /**
     * Drops the room's connections that ended by {@code now}: their own lifetime, or their
     * owner's lease. Costs what ended (and the number of owners). Call holding the lock.
     */
    void prune(String roomId, Room room, long now, String noticedBy) {
      while (!room.expiries.isEmpty() && room.expiries.first().at() <= now) {
        drop(roomId, room, room.expiries.first().key(), PresenceEvent.Left.Reason.EXPIRED,
            noticedBy);
      }
      if (room.byOwner.size() == 0) {
        return;
      }
      for (Iterator<Map.Entry<String, Set<ConnectionKey>>> it = room.byOwner.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<String, Set<ConnectionKey>> owner = it.next();
        if (owner.getValue().isEmpty()) {
          it.remove();
          continue;
        }
        if (leaseEnds.getOrDefault(owner.getKey(), Long.MIN_VALUE) <= now) {
          for (ConnectionKey key : List.copyOf(owner.getValue())) {
            drop(roomId, room, key, PresenceEvent.Left.Reason.EXPIRED, noticedBy);
          }
          it.remove();
        }
      }
    }

    /** Forgets a room with no connection left, so that rooms do not pile up. Holding lock. */
    void forgetIfEmpty(String roomId, Room room) {
      if (room.connections.isEmpty()) {
        rooms.remove(roomId, room);
      }
    }

    /** Removes a connection, queueing its {@code Left}; whether it was there. Holding lock. */
    boolean drop(String roomId, Room room, ConnectionKey key, PresenceEvent.Left.Reason reason,
        String by) {
      Connection c = room.connections.remove(key);
      if (c == null) {
        return false;
      }
      room.expiries.remove(new Expiry(c.expiresAt(), key));
      Set<ConnectionKey> owned = room.byOwner.get(c.owner());
      if (owned != null) {
        owned.remove(key);
      }
      int left = room.users.merge(key.userId(), -1, Integer::sum);
      if (left <= 0) {
        room.users.remove(key.userId());
      }
      hub.enqueue(roomId, new RoomEvent.Left<>(roomId, key.userId(), key.connectionId(), reason,
          left <= 0, by));
      return true;
    }

    /** Queues a joined or updated event, if there are listeners. Call holding the lock. */
    void emitPut(String roomId, ConnectionKey key, byte[] bytes, boolean joined,
        boolean userJoined, String by) {
      if (!hub.hasListeners(roomId)) {
        return;
      }
      RoomEvent<P> event;
      try {
        P value = Values.decode(codec, InMemoryRoomPresenceStore.key(roomId), key.field(), bytes);
        event = joined
            ? new RoomEvent.Joined<>(roomId, key.userId(), key.connectionId(), value, userJoined, by)
            : new RoomEvent.Updated<>(roomId, key.userId(), key.connectionId(), value, by);
      } catch (CodecException e) {
        event = new RoomEvent.Resync<>(roomId, ResyncReason.UNDECODABLE_EVENT);
      }
      hub.enqueue(roomId, event);
    }

    /** Prunes every watched room. */
    void sweep(String by) {
      synchronized (lock) {
        long now = clock.millis();
        for (String roomId : hub.keys()) {
          Room room = rooms.get(roomId);
          if (room != null) {
            prune(roomId, room, now, by);
            forgetIfEmpty(roomId, room);
          }
        }
      }
      hub.drain();
    }

    private void startSweeper() {
      synchronized (lock) {
        if (sweeper != null) {
          return;
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "canvasstate-room-sweep");
          t.setDaemon(true);
          return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        long period = Math.max(1, config.sweepInterval().toMillis());
        executor.scheduleWithFixedDelay(this::sweepQuietly, period, period, TimeUnit.MILLISECONDS);
        sweeper = executor;
      }
    }

    private void sweepQuietly() {
      String by;
      synchronized (lock) {
        by = leaseEnds.entrySet().stream().filter(e -> e.getValue() == Long.MAX_VALUE)
            .map(Map.Entry::getKey).findFirst().orElse(null);
      }
      if (by != null) {
        sweep(by);
      }
    }

    private void stopSweeper() {
      ScheduledExecutorService executor;
      synchronized (lock) {
        executor = sweeper;
        sweeper = null;
      }
      if (executor != null) {
        executor.shutdownNow();
      }
    }
  }

  /** Builds an {@link InMemoryRoomPresenceStore}. Not thread-safe. */
  public static final class Builder<P> {
    private final Codec<P> codec;
    private InstantSource clock = InstantSource.system();
    private TtlPolicy ttl = TtlPolicy.DEFAULT;
    private int maxValueBytes = StoreConfig.DEFAULT_MAX_VALUE_BYTES;
    private RoomConfig config = RoomConfig.DEFAULT;
    private String instanceId = InstanceIds.random();

    private Builder(Codec<P> codec) {
      this.codec = codec;
    }

    /** The clock that lifetimes and leases follow; the system clock by default. */
    public Builder<P> clock(InstantSource clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The lifetimes: a connection lives {@code presenceTtl} after its last heartbeat. */
    public Builder<P> ttl(TtlPolicy ttl) {
      this.ttl = requireNonNull(ttl, "ttl");
      return this;
    }

    /** The lease and sweep interval; {@link RoomConfig#DEFAULT} by default. */
    public Builder<P> config(RoomConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /**
     * The largest encoded value accepted, in bytes.
     *
     * @throws IllegalArgumentException if it is less than 1
     */
    public Builder<P> maxValueBytes(int maxValueBytes) {
      if (maxValueBytes < 1) {
        throw new IllegalArgumentException("maxValueBytes must be at least 1: " + maxValueBytes);
      }
      this.maxValueBytes = maxValueBytes;
      return this;
    }

    /**
     * This instance's id; a random one by default. A failover decorator gives its fallback the
     * primary's id.
     *
     * @throws IllegalArgumentException if it is not a valid id
     */
    public Builder<P> instanceId(String instanceId) {
      this.instanceId = InstanceIds.require(instanceId);
      return this;
    }

    /** The store: the first instance on a new, empty state. */
    public InMemoryRoomPresenceStore<P> build() {
      return new InMemoryRoomPresenceStore<>(new Rooms<>(this), instanceId);
    }
  }
}
