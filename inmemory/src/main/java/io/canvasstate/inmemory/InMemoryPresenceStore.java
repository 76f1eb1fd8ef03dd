package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceEvent;
import io.canvasstate.PresenceListener;
import io.canvasstate.PresenceStore;
import io.canvasstate.ResyncReason;
import io.canvasstate.Subscription;
import io.canvasstate.TtlPolicy;
import io.canvasstate.internal.DecodeFailures;
import io.canvasstate.internal.EventHub;
import io.canvasstate.internal.Values;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link PresenceStore} that keeps every user's presence in this process, with the same
 * observable semantics as the Redis store; also the fake for unit tests.
 *
 * <p>A presence expires {@linkplain TtlPolicy#presenceTtl() presenceTtl} after its last
 * {@link #put}, by the injected clock. Reading it does not extend it: a reader must not keep a
 * user who left alive. {@link #getAll()} and {@link #activeUsers()} never report an expired
 * user; expired users are dropped as operations run, at a cost of what expired, not of what is
 * stored. Values are kept as their encoded bytes, limited to {@code maxValueBytes}.
 *
 * <p>Thread-safe: every operation is atomic and {@link #getAll()} is a consistent snapshot.
 * Values are decoded outside the lock.
 *
 * <p>{@linkplain #subscribe Events} are delivered in-process, on the thread that made the change
 * once the store's lock is released. So that a presence that expires produces its
 * {@link PresenceEvent.Left} even when nobody reads, the store runs one daemon thread while it
 * has listeners, which calls {@link #sweepExpired()} every {@linkplain
 * InMemoryStoreBuilder#sweepInterval sweep interval} (the expiry itself follows the injected
 * clock); the thread ends when the last listener goes or the store closes.
 *
 * @param <P> the type of a user's presence
 */
public final class InMemoryPresenceStore<P> implements PresenceStore<P> {
  private final Codec<P> codec;
  private final InstantSource clock;
  private final TtlPolicy ttl;
  private final long ttlMillis;
  private final int maxValueBytes;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private final Map<String, Presence> users = new HashMap<>();
  private final ExpiryIndex expiries = new ExpiryIndex();
  private final DecodeFailures decodeFailures = new DecodeFailures();
  private final String instanceId;
  private final Duration sweepInterval;
  private final EventHub<String, PresenceEvent<P>> events;
  /** Runs {@link #sweepExpired()} while there are listeners; guarded by {@link #lock}. */
  private @Nullable ScheduledExecutorService sweeper;
  private volatile boolean closed;

  private record Presence(byte[] bytes, long expiresAt) {}

  /** The one key presence listeners register under. */
  private static final String ALL = "";

  private InMemoryPresenceStore(Codec<P> codec, InMemoryStoreBuilder<?> b) {
    this.codec = codec;
    this.clock = b.clock();
    this.ttl = b.ttl();
    this.ttlMillis = ExpiryIndex.millis(b.ttl().presenceTtl());
    this.maxValueBytes = b.maxValueBytes();
    this.instanceId = b.instanceId();
    this.sweepInterval = b.sweepInterval();
    this.events = new EventHub<>("presence events of " + instanceId, new EventHub.KeyWatcher<>() {
      @Override
      public void firstListener(String key) {
        startSweeper();
      }

      @Override
      public void lastListenerGone(String key) {
        stopSweeper();
      }
    });
  }

  /** A store with the default lifetimes and value limit, on the system clock. */
  public static <P> InMemoryPresenceStore<P> create(Codec<P> codec) {
    return builder(codec).build();
  }

  /** A builder for a store that uses {@code codec}. */
  public static <P> InMemoryStoreBuilder<InMemoryPresenceStore<P>> builder(Codec<P> codec) {
    requireNonNull(codec, "codec");
    return new InMemoryStoreBuilder<>(b -> new InMemoryPresenceStore<>(codec, b));
  }

  @Override
  public void put(String userId, P presence) {
    Values.id("userId", userId);
    requireNonNull(presence, "presence");
    store(userId, Values.encode(codec, userId, presence, maxValueBytes));
  }

  @Override
  public Optional<P> get(String userId) {
    Values.id("userId", userId);
    Presence p;
    synchronized (lock) {
      p = live(userId, prune());
    }
    events.drain();
    return p == null
        ? Optional.empty()
        : Optional.of(Values.decode(codec, KeySchema.DEFAULT.presenceKey(), userId, p.bytes()));
  }

  @Override
  public boolean remove(String userId) {
    Values.id("userId", userId);
    boolean live;
    synchronized (lock) {
      live = live(userId, prune()) != null;
      Presence removed = users.remove(userId);
      if (removed != null) {
        expiries.remove(userId, removed.expiresAt());
      }
      if (live) {
        events.enqueue(ALL, new PresenceEvent.Left<>(userId, PresenceEvent.Left.Reason.REMOVED,
            instanceId));
      }
    }
    events.drain();
    return live;
  }

  @Override
  public Map<String, P> getAll() {
    Map<String, byte[]> snapshot = new LinkedHashMap<>();
    synchronized (lock) {
      prune();
      users.forEach((userId, p) -> snapshot.put(userId, p.bytes()));
    }
    events.drain();
    String key = KeySchema.DEFAULT.presenceKey();
    Map<String, P> result = new LinkedHashMap<>();
    snapshot.forEach((userId, bytes) -> {
      try {
        result.put(userId, Values.decode(codec, key, userId, bytes));
      } catch (CodecException e) {
        decodeFailures.record(key, userId, e);
      }
    });
    return Map.copyOf(result);
  }

  @Override
  public Set<String> activeUsers() {
    Set<String> active;
    synchronized (lock) {
      prune();
      active = Set.copyOf(users.keySet());
    }
    events.drain();
    return active;
  }

  @Override
  public Subscription subscribe(PresenceListener<P> listener) {
    requireNonNull(listener, "listener");
    ensureOpen();
    return events.subscribe(ALL, listener::onEvent);
  }

  @Override
  public String instanceId() {
    return instanceId;
  }

  /**
   * Drops the presences that have expired by the clock now, delivering a
   * {@link PresenceEvent.Left} with reason {@code EXPIRED} for each. The store's sweep thread
   * calls it while there are listeners; tests on a manual clock may call it directly.
   *
   * @throws IllegalStateException if the store is closed
   */
  public void sweepExpired() {
    synchronized (lock) {
      prune();
    }
    events.drain();
  }

  /**
   * Marks the store closed, ends its subscriptions and stops its sweep thread; later calls throw
   * {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    events.close();
    stopSweeper();
  }

  // ---- for tests and tools ----

  /**
   * Stores raw bytes as a user's presence, bypassing the codec and the size limit, as another
   * client writing JSON by hand would. Like {@link #put}, it restarts the presence's lifetime.
   *
   * @throws IllegalArgumentException if the id is invalid
   * @throws IllegalStateException if the store is closed
   */
  public void putEncoded(String userId, byte[] bytes) {
    Values.id("userId", userId);
    store(userId, requireNonNull(bytes, "bytes").clone());
  }

  /** How many stored values {@link #getAll()} has left out because they could not be decoded. */
  public long undecodableValues() {
    return decodeFailures.count();
  }

  /** The lifetimes this store applies. */
  public TtlPolicy ttl() {
    return ttl;
  }

  @Override
  public String toString() {
    return "InMemoryPresenceStore[codec=" + codec + ", presenceTtl=" + ttl.presenceTtl()
        + ", instanceId=" + instanceId + "]";
  }

  // ---- internals ----

  private void store(String userId, byte[] bytes) {
    synchronized (lock) {
      long now = prune();
      long expiresAt = ExpiryIndex.expiry(now, ttlMillis);
      Presence previous = users.put(userId, new Presence(bytes, expiresAt));
      expiries.move(userId, previous == null ? ExpiryIndex.NONE : previous.expiresAt(), expiresAt);
      emitPut(userId, bytes, previous == null);
    }
    events.drain();
  }

  /** Queues a joined or updated event, if there are listeners. Call holding the lock. */
  private void emitPut(String userId, byte[] bytes, boolean joined) {
    if (!events.hasAnyListener()) {
      return;
    }
    PresenceEvent<P> event;
    try {
      P value = Values.decode(codec, KeySchema.DEFAULT.presenceKey(), userId, bytes);
      event = joined
          ? new PresenceEvent.Joined<>(userId, value, instanceId)
          : new PresenceEvent.Updated<>(userId, value, instanceId);
    } catch (CodecException e) {
      event = new PresenceEvent.Resync<>(ResyncReason.UNDECODABLE_EVENT);
    }
    events.enqueue(ALL, event);
  }

  /** Starts the sweep thread; called under the hub's lock when the first listener comes. */
  private void startSweeper() {
    synchronized (lock) {
      if (sweeper == null && !closed) {
        sweeper = newSweeper();
      }
    }
  }

  private ScheduledExecutorService newSweeper() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "canvasstate-presence-sweep-" + instanceId);
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    long period = Math.max(1, sweepInterval.toMillis());
    executor.scheduleWithFixedDelay(this::sweepQuietly, period, period, TimeUnit.MILLISECONDS);
    return executor;
  }

  /** Stops the sweep thread, if it runs: when the last listener goes, or at close. */
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

  private void sweepQuietly() {
    if (!closed) {
      try {
        sweepExpired();
      } catch (IllegalStateException e) {
        // closed between the check and the sweep: nothing left to do
      }
    }
  }

  /** The user's presence if it has not expired at {@code now}. Call holding the lock. */
  private @Nullable Presence live(String userId, long now) {
    Presence p = users.get(userId);
    return p != null && p.expiresAt() > now ? p : null;
  }

  /** Drops the users whose presence expired, and returns the time. Call holding the lock. */
  private long prune() {
    ensureOpen();
    long now = clock.millis();
    expiries.pollExpired(now, userId -> {
      Presence p = users.get(userId);
      if (p != null && p.expiresAt() <= now) {
        users.remove(userId);
        events.enqueue(ALL,
            new PresenceEvent.Left<>(userId, PresenceEvent.Left.Reason.EXPIRED, instanceId));
      }
    });
    return now;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("InMemoryPresenceStore is closed");
    }
  }
}
