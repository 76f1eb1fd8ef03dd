package io.canvasstate.failover;

import static io.canvasstate.failover.FailoverState.CLOSED;
import static io.canvasstate.failover.FailoverState.FAILED_OVER;
import static io.canvasstate.failover.FailoverState.HEALTHY;
import static io.canvasstate.failover.FailoverState.RECOVERING;
import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.TtlPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps canvas and presence stores serving through outages of their primary (Redis): a
 * decorator over a primary and a fallback (in-memory) store for each, sharing one health state,
 * that answers from the fallback while the primary is down and writes what changed back to it
 * when it returns.
 *
 * <p>The typed stores come from {@link #canvas(Codec)} and {@link #presence(Codec)} (and room
 * stores, each over a pair of its own, from {@link #rooms}); each call wraps this one failover
 * state, so all the stores of one Redis fail over and recover together.
 * The wrapping order, outermost first: the typed store applies the {@link Codec} once, then this
 * decorator routes the encoded bytes to the primary or to the fallback (both typed on
 * {@code byte[]}, such as with {@link Codec#bytes()}). Working on encoded values is what keeps
 * the healthy path cheap: mirroring values into the local copy, and during an outage into the
 * fallback and the journal, never encodes or decodes them again, and comparing a journaled
 * change with what the primary holds is comparing bytes, as the stores do. The decorator never
 * modifies an array it was given or returned, so byte stores that no one else reaches may pass
 * arrays through without copying them.
 *
 * <h2>Healthy</h2>
 * Every call goes to the primary. The store keeps a bounded local copy of what this instance
 * read and wrote there: whole projects from {@code getAll}, and single objects and presences
 * ({@link FailoverConfig#localCopyLimit()}).
 *
 * <h2>Outage</h2>
 * When a call to the primary throws {@link StoreUnavailableException} (connection refused or
 * reset, a timeout: a paused server is detected by the store's command timeout) the store
 * switches to the fallback once: it seeds the fallback with the local copy, answers that call
 * and every later one from it without an exception, and journals every change (the latest per
 * object or user, with the value this instance last saw in the primary, its <em>base</em>). One
 * daemon thread probes the primary every {@link FailoverConfig#probeInterval()}. Only
 * {@code StoreUnavailableException} fails over: other store exceptions, codec errors and bad
 * arguments reach the caller as they would without the decorator.
 *
 * <h2>Recovery and the conflict rule</h2>
 * After {@link FailoverConfig#recoveryThreshold()} successful probes in a row, the journal is
 * written back, oldest change first, in batches, while the fallback keeps answering; the last
 * batch is written while calls wait, and only then do calls go to the primary again. Each change
 * is a compare-and-set with the primary's conditional operations: it applies if the primary
 * still holds its base (or already holds the change, or a value this instance may have written
 * itself in a call that timed out). Otherwise someone else changed that object during the
 * outage, and <b>the primary's value wins</b>: it is kept, and the outage change goes to
 * {@link FailoverListener#onConflict} with both values. A delete made during the outage is
 * written back as a delete, so nothing deleted comes back. A presence written during the outage
 * is written back only if it has not expired meanwhile. If the primary fails again during the
 * write-back the store returns to the fallback and keeps every change not yet written. The
 * journal keeps the latest change per object, at most {@link FailoverConfig#outageBufferLimit()}
 * objects and users; past it, a change to one not yet journaled is served but not written back,
 * and is counted and reported as dropped. Memory is thus bounded by the objects changed, not by
 * the writes.
 *
 * <h2>Watching it</h2>
 * {@link #state()}, {@link #stats()} and {@link FailoverListener}s; each transition is logged
 * once, on logger {@code io.canvasstate.failover.FailoverStore}.
 *
 * <p>Thread-safe.
 */
public final class FailoverStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FailoverStore.class);
  private static final AtomicInteger PROBE_THREADS = new AtomicInteger();
  /** The project (or user) id the default probe reads; no key is ever written for it. */
  static final String PROBE_ID = "canvasstate-failover-probe";
  /**
   * Passes over the journal written back without blocking callers before the final batches,
   * each of which blocks callers for one batch at most.
   */
  private static final int UNLOCKED_PASSES = 3;

  private final FailoverConfig config;
  private final InstantSource clock;
  private final TtlPolicy ttl;
  private final KeySchema keySchema;
  private final @Nullable CanvasSide canvas;
  private final @Nullable PresenceSide presence;
  private final Runnable probe;
  private final Journal journal;
  private final StateMachine machine;
  private final boolean backgroundProbe;
  private final List<FailoverListener> listeners = new CopyOnWriteArrayList<>();
  /** The pairs of room stores of the {@link #rooms} views. */
  private final List<RoomSide> rooms = new CopyOnWriteArrayList<>();
  /** Run after each call served from the fallback, outside the locks: event delivery. */
  private final List<Runnable> afterOutageCalls = new CopyOnWriteArrayList<>();
  /**
   * Outage calls hold it shared; switching to and from the fallback holds it exclusively. Fair,
   * so that calls waiting while the write-back holds it for one batch get in before its next
   * batch (only outage calls take it: the healthy path never does).
   */
  private final ReentrantReadWriteLock modeLock = new ReentrantReadWriteLock(true);
  /** Serializes probing, writing back and closing. */
  private final ReentrantLock recoveryLock = new ReentrantLock();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private int probeSuccesses; // guarded by recoveryLock

  private @Nullable ScheduledExecutorService scheduler; // guarded by this
  private final boolean ownsScheduler;
  private @Nullable ScheduledFuture<?> probeTask; // guarded by this

  private final LongAdder failovers = new LongAdder();
  private final LongAdder writtenBack = new LongAdder();
  private final LongAdder conflicts = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private volatile boolean bufferFullLogged;
  private volatile boolean probeErrorLogged;
  private volatile Instant outageStart = Instant.EPOCH;
  /** Whether the primary ever answered; until it does, an outage is a start on the fallback. */
  private volatile boolean primaryAnswered;

  private FailoverStore(Builder b) {
    this.config = b.config;
    this.clock = b.clock;
    this.ttl = b.ttl;
    this.keySchema = b.keySchema;
    this.journal = new Journal(config.outageBufferLimit());
    this.canvas = b.canvasPrimary == null || b.canvasFallback == null ? null
        : new CanvasSide(b.canvasPrimary, b.canvasFallback, config.localCopyLimit(), journal);
    this.presence = b.presencePrimary == null || b.presenceFallback == null ? null
        : new PresenceSide(b.presencePrimary, b.presenceFallback, config.localCopyLimit(),
            ttl.presenceTtl());
    this.probe = b.probe != null ? b.probe : defaultProbe(canvas, presence);
    this.machine = new StateMachine(HEALTHY, clock);
    this.backgroundProbe = b.backgroundProbe;
    this.scheduler = b.scheduler;
    this.ownsScheduler = b.scheduler == null;
    this.listeners.addAll(b.listeners);
  }

  private static Runnable defaultProbe(
      @Nullable CanvasSide canvas, @Nullable PresenceSide presence) {
    if (canvas != null) {
      CanvasStore<byte[]> primary = canvas.primary;
      return () -> primary.count(PROBE_ID);
    }
    PresenceStore<byte[]> primary = requireNonNull(presence).primary;
    return () -> primary.get(PROBE_ID);
  }

  /** A builder; set at least a canvas or a presence pair of stores. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A canvas store on this failover state, applying {@code codec} to values. Calls return as
   * they would from the primary; see the class comment for outages. Its {@code close()} only
   * stops that view: {@link #close()} releases the stores.
   *
   * @throws IllegalStateException if this store was built without canvas stores, or is closed
   */
  public <T> FailoverCanvasStore<T> canvas(Codec<T> codec) {
    requireNonNull(codec, "codec");
    if (canvas == null) {
      throw new IllegalStateException("this FailoverStore was built without canvas stores");
    }
    requireOpen();
    return new FailoverCanvasStore<>(this, canvas, codec, keySchema);
  }

  /**
   * A presence store on this failover state, applying {@code codec} to values. Its
   * {@code close()} only stops that view: {@link #close()} releases the stores.
   *
   * @throws IllegalStateException if this store was built without presence stores, or is closed
   */
  public <P> FailoverPresenceStore<P> presence(Codec<P> codec) {
    requireNonNull(codec, "codec");
    if (presence == null) {
      throw new IllegalStateException("this FailoverStore was built without presence stores");
    }
    requireOpen();
    return new FailoverPresenceStore<>(this, presence, codec, keySchema);
  }

  /**
   * A room presence store on this failover state over a pair of room stores of its own (on
   * encoded values, the fallback an in-memory store with the primary's instance id), applying
   * {@code codec} to values; it fails over and recovers with the other stores of this state
   * (see {@link FailoverRoomPresenceStore}). Its {@code close()} closes the pair;
   * {@link #close()} closes every pair.
   *
   * @throws IllegalStateException if this store is closed
   */
  public <P> FailoverRoomPresenceStore<P> rooms(Codec<P> codec, RoomPresenceStore<byte[]> primary,
      RoomPresenceStore<byte[]> fallback) {
    requireNonNull(codec, "codec");
    requireNonNull(primary, "primary");
    requireNonNull(fallback, "fallback");
    requireOpen();
    RoomSide side = new RoomSide(primary, fallback, ttl.presenceTtl().toMillis());
    rooms.add(side);
    return new FailoverRoomPresenceStore<>(this, side, codec, keySchema);
  }

  /** Forgets a closed room view's pair of stores and closes them. */
  void forgetRooms(RoomSide side) {
    if (rooms.remove(side)) {
      closeQuietly(side.primary);
      closeQuietly(side.fallback);
    }
  }

  /** The current state. */
  public FailoverState state() {
    return machine.state();
  }

  /** The current state, how long it has lasted, and the counters. */
  public FailoverStats stats() {
    StateMachine.Current c = machine.current();
    Duration inState = Duration.between(c.since(), clock.instant());
    return new FailoverStats(c.state(), c.since(), inState.isNegative() ? Duration.ZERO : inState,
        failovers.sum(), writtenBack.sum(), conflicts.sum(), dropped.sum(), expired.sum(),
        journal.size());
  }

  /** The configuration. */
  public FailoverConfig config() {
    return config;
  }

  /** Adds a listener; see {@link FailoverListener} for how it is called. */
  public void addListener(FailoverListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Removes a listener added before; does nothing if it was not. */
  public void removeListener(FailoverListener listener) {
    listeners.remove(requireNonNull(listener, "listener"));
  }

  /**
   * Probes the primary now, as the background probe does every
   * {@link FailoverConfig#probeInterval()}; when enough probes in a row have succeeded, writes
   * the journal back and switches to the primary before returning. Does nothing unless the
   * state is {@link FailoverState#FAILED_OVER}. Useful for an admin "retry now", and for tests
   * built with {@link Builder#backgroundProbe(boolean) backgroundProbe(false)}.
   *
   * @return the state afterwards
   */
  public FailoverState probeNow() {
    recoveryLock.lock();
    try {
      if (machine.state() != FAILED_OVER) {
        return machine.state();
      }
      if (!probeOnce()) {
        return machine.state();
      }
      if (++probeSuccesses < config.recoveryThreshold()) {
        return machine.state();
      }
      recover();
      return machine.state();
    } finally {
      recoveryLock.unlock();
    }
  }

  /** Runs the probe; false if the primary is still unreachable. Caller holds recoveryLock. */
  private boolean probeOnce() {
    try {
      probe.run();
      return true;
    } catch (StoreUnavailableException e) {
      probeSuccesses = 0;
      LOG.debug("Probe of the primary store failed: {}", e.getMessage());
      return false;
    } catch (RuntimeException e) {
      probeSuccesses = 0;
      if (!probeErrorLogged) {
        probeErrorLogged = true;
        LOG.warn("Probe of the primary store failed with an unexpected error (logged once per"
            + " outage); still serving from memory: {}", e.toString());
      }
      return false;
    }
  }

  /** Starts the write-back. Caller holds recoveryLock and the state is FAILED_OVER. */
  private void recover() {
    probeSuccesses = 0;
    Optional<TransitionEvent> t = machine.transition(
        FAILED_OVER, RECOVERING, TransitionEvent.Reason.PRIMARY_REACHABLE, null);
    if (t.isEmpty()) {
      return;
    }
    primaryAnswered = true;
    LOG.info("Primary store reachable again after {} ms; writing back {} outage changes",
        Duration.between(outageStart, clock.instant()).toMillis(), journal.size());
    dispatch(List.of(t.get()));
    writeBack();
  }

  /** Writes the journal back and switches to the primary. Caller holds recoveryLock. */
  private void writeBack() {
    Instant started = clock.instant();
    Tally tally = new Tally();
    int batch = config.writeBackBatchSize();
    for (int pass = 0; pass < UNLOCKED_PASSES && journal.size() > batch; pass++) {
      long upTo = journal.lastSeq();
      List<Journal.Change> changes;
      while (!(changes = journal.oldest(batch, upTo)).isEmpty()) {
        List<Object> events = new ArrayList<>();
        boolean goOn = writeBackBatch(changes, tally, events);
        dispatch(events);
        if (!goOn) {
          return;
        }
      }
    }
    // The last changes are written while calls wait, so that no call sees the fallback and
    // then the primary out of order; callers wait for one batch at most at a time: the lock is
    // released between batches, and callers made meanwhile are journaled and written next.
    boolean switched = false;
    List<Object> events = List.of();
    while (!switched) {
      events = new ArrayList<>();
      modeLock.writeLock().lock();
      try {
        List<Journal.Change> changes = journal.oldest(batch, Long.MAX_VALUE);
        if (!changes.isEmpty() && !writeBackBatch(changes, tally, events)) {
          break;
        }
        if (machine.state() != RECOVERING) {
          break;
        }
        if (journal.size() == 0) {
          // This instance's room connections of the outage, with the last canvas batch.
          if (!writeBackRooms(tally, events) || machine.state() != RECOVERING) {
            break;
          }
          clearFallbacks();
          Optional<TransitionEvent> t = machine.transition(
              RECOVERING, HEALTHY, TransitionEvent.Reason.WRITE_BACK_COMPLETE, null);
          t.ifPresent(events::add);
          switched = t.isPresent();
          consecutiveFailures.set(0);
          stopProbing();
          if (!switched) {
            break;
          }
        }
      } finally {
        modeLock.writeLock().unlock();
      }
      if (!switched) {
        dispatch(events);
      }
    }
    if (switched) {
      long ms = Duration.between(started, clock.instant()).toMillis();
      String expiredNote = tally.expired == 0 ? ""
          : " (" + tally.expired + " outage presences had expired and were skipped)";
      if (tally.conflicts + tally.dropped > 0) {
        LOG.warn("Wrote back {} outage changes in {} ms{}; {} conflicted (the primary's value was"
            + " kept, listeners were told) and {} were dropped; serving from the primary store"
            + " again", tally.applied, ms, expiredNote, tally.conflicts, tally.dropped);
      } else {
        LOG.info("Wrote back {} outage changes in {} ms{}; serving from the primary store again",
            tally.applied, ms, expiredNote);
      }
    }
    dispatch(events);
  }

  /**
   * Writes back the room changes of the outage (see {@link FailoverRoomPresenceStore}).
   *
   * @return false if the primary failed again
   */
  private boolean writeBackRooms(Tally tally, List<Object> events) {
    for (RoomSide side : rooms) {
      try {
        int[] done = side.writeBack(clock.millis());
        tally.applied += done[0];
        tally.expired += done[1];
      } catch (StoreUnavailableException e) {
        probeSuccesses = 0;
        Optional<TransitionEvent> t = machine.transition(RECOVERING, FAILED_OVER,
            TransitionEvent.Reason.PRIMARY_UNAVAILABLE_DURING_WRITE_BACK, e);
        if (t.isPresent()) {
          LOG.warn("Primary store failed again during the write-back of rooms ({}); serving from"
              + " memory", e.getMessage());
          events.add(t.get());
        }
        return false;
      }
    }
    return true;
  }

  /** What one write-back did, for its log line. */
  private static final class Tally {
    long applied;
    long conflicts;
    long dropped;
    long expired;
  }

  /**
   * Writes some changes back, adding the events to dispatch to {@code events}.
   *
   * @return false if the write-back must stop (the primary failed again, or the store closed)
   */
  private boolean writeBackBatch(List<Journal.Change> changes, Tally tally, List<Object> events) {
    for (Journal.Change c : changes) {
      if (machine.state() != RECOVERING) {
        return false;
      }
      Instant now = clock.instant();
      try {
        WriteBack.Result r = c.key().kind() == ChangeKey.Kind.CANVAS_OBJECT
            ? requireNonNull(canvas).writeBack(c, now, e -> {
              conflicts.increment();
              tally.conflicts++;
              LOG.debug("Write-back conflict on {}: the primary's value was kept", e.key());
              events.add(e);
            })
            : requireNonNull(presence).writeBack(c, now, e -> {
              conflicts.increment();
              tally.conflicts++;
              LOG.debug("Write-back conflict on {}: the primary's value was kept", e.key());
              events.add(e);
            });
        switch (r) {
          case APPLIED -> {
            journal.done(c, Optional.of(c.value()));
            writtenBack.increment();
            tally.applied++;
          }
          case EXPIRED -> {
            journal.done(c, Optional.empty());
            expired.increment();
            tally.expired++;
            events.add(new DroppedEvent(c.key(), DroppedEvent.Reason.EXPIRED,
                Journal.text(c.value()), now));
          }
          default -> journal.done(c, Optional.empty());
        }
      } catch (StoreUnavailableException e) {
        journal.possiblyApplied(c);
        probeSuccesses = 0;
        Optional<TransitionEvent> t = machine.transition(RECOVERING, FAILED_OVER,
            TransitionEvent.Reason.PRIMARY_UNAVAILABLE_DURING_WRITE_BACK, e);
        if (t.isPresent()) {
          LOG.warn("Primary store failed again during the write-back ({}); serving from memory,"
              + " {} changes kept for the next attempt", e.getMessage(), journal.size());
          events.add(t.get());
        }
        return false;
      } catch (RuntimeException e) {
        journal.done(c, Optional.empty());
        dropped.increment();
        tally.dropped++;
        LOG.warn("The primary store rejected the outage change to {}; it is not written back"
            + " (reported as dropped): {}", c.key(), e.toString());
        events.add(new DroppedEvent(c.key(), DroppedEvent.Reason.REJECTED_BY_STORE,
            Journal.text(c.value()), now));
      }
    }
    return true;
  }

  /**
   * Closes the store: if it is serving from memory with changes not yet written back, probes
   * the primary once more and writes them back if it answers; whatever is left is counted and
   * reported as dropped ({@link DroppedEvent.Reason#CLOSED}) and logged. Then stops the probe
   * thread and closes the primary and fallback stores it was built with. Idempotent.
   */
  @Override
  public void close() {
    List<Object> events = new ArrayList<>();
    recoveryLock.lock();
    try {
      if (machine.state() == CLOSED) {
        return;
      }
      if (machine.state() == FAILED_OVER && journal.size() > 0 && probeOnce()) {
        recover();
      }
      modeLock.writeLock().lock();
      try {
        Instant now = clock.instant();
        List<Journal.Change> left = journal.drain();
        for (Journal.Change c : left) {
          dropped.increment();
          events.add(new DroppedEvent(c.key(), DroppedEvent.Reason.CLOSED,
              Journal.text(c.value()), now));
        }
        if (!left.isEmpty()) {
          LOG.warn("Closed while the primary store was unreachable: {} outage changes were not"
              + " written back (reported as dropped)", left.size());
        }
        machine.close().ifPresent(events::add);
      } finally {
        modeLock.writeLock().unlock();
      }
      shutdownProbing();
      closeQuietly(canvas == null ? null : canvas.primary);
      closeQuietly(canvas == null ? null : canvas.fallback);
      closeQuietly(presence == null ? null : presence.primary);
      closeQuietly(presence == null ? null : presence.fallback);
      for (RoomSide side : rooms) {
        closeQuietly(side.primary);
        closeQuietly(side.fallback);
      }
    } finally {
      recoveryLock.unlock();
    }
    dispatch(events);
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("Closing {} failed: {}", c, e.toString());
    }
  }

  @Override
  public String toString() {
    return "FailoverStore[" + machine.state() + ", " + journal + "]";
  }

  // ---- used by the typed stores ----

  /** An operation on the primary. */
  @FunctionalInterface
  interface PrimaryCall<R> {
    R call();
  }

  /** An operation on the fallback, during an outage. */
  @FunctionalInterface
  interface OutageCall<R> {
    R call(Outage outage);
  }

  /** What an outage call needs: the journal, and whether the primary may have applied it. */
  final class Outage {
    private final boolean possiblyApplied;
    private @Nullable List<Object> events;

    private Outage(boolean possiblyApplied) {
      this.possiblyApplied = possiblyApplied;
    }

    /** Journals a change (empty value: a delete); {@code bases} is asked only for a new entry. */
    void journal(
        ChangeKey key, Optional<byte[]> value, Supplier<List<Optional<byte[]>>> bases) {
      journal(key, value, bases, false);
    }

    /**
     * Journals a change; {@code baseUnknown} says this instance knows nothing of the object, so
     * that a delete is written back under the blind-delete rule.
     */
    void journal(ChangeKey key, Optional<byte[]> value,
        Supplier<List<Optional<byte[]>>> bases, boolean baseUnknown) {
      Instant now = clock.instant();
      if (journal.record(key, value, bases, possiblyApplied, baseUnknown, now)) {
        return;
      }
      dropped.increment();
      if (!bufferFullLogged) {
        bufferFullLogged = true;
        LOG.warn("Outage journal full ({} entries, logged once per outage): changes to objects"
            + " and users not yet in it are served from memory but will not be written back"
            + " (each is counted and reported as dropped)", config.outageBufferLimit());
      }
      if (events == null) {
        events = new ArrayList<>();
      }
      events.add(new DroppedEvent(key, DroppedEvent.Reason.BUFFER_FULL, Journal.text(value), now));
    }
  }

  /**
   * Runs a call on the primary while healthy, else (or when the primary turns out to be
   * unavailable) on the fallback. Write calls run on the fallback holding the journal's monitor,
   * so that applying and journaling a change is one step.
   *
   * @param write whether the call changes anything
   * @param repeatable whether running it twice is the same as once (so it may be retried)
   */
  <R> R call(
      boolean write, boolean repeatable, PrimaryCall<R> onPrimary, OutageCall<R> onFallback) {
    boolean possiblyApplied = false;
    while (true) {
      FailoverState s = machine.state();
      if (s == HEALTHY) {
        try {
          R r = onPrimary.call();
          if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
          }
          if (!primaryAnswered) {
            primaryAnswered = true;
          }
          return r;
        } catch (StoreUnavailableException e) {
          if (repeatable && consecutiveFailures.incrementAndGet() < config.failureThreshold()) {
            continue;
          }
          failOver(e);
          possiblyApplied = write;
          continue;
        }
      }
      Outage outage = new Outage(possiblyApplied);
      R r;
      modeLock.readLock().lock();
      try {
        FailoverState now = machine.state();
        if (now == HEALTHY) {
          possiblyApplied = false;
          continue;
        }
        if (now == CLOSED) {
          throw new IllegalStateException("this FailoverStore is closed");
        }
        if (write) {
          synchronized (journal) {
            r = onFallback.call(outage);
          }
        } else {
          r = onFallback.call(outage);
        }
      } finally {
        modeLock.readLock().unlock();
      }
      if (outage.events != null) {
        dispatch(outage.events);
      }
      afterOutageCalls.forEach(Runnable::run);
      return r;
    }
  }

  /**
   * Reconciles a change that a call made to the primary while the store failed over (the call
   * started while healthy and succeeded after the switch): if the object has a journaled change,
   * the value is noted as this instance's own, so finding it in the primary is no conflict;
   * otherwise {@code mirror} applies it to the fallback, so that reads during the outage see it.
   * Does nothing once the store is healthy again.
   */
  void primaryWroteDuringSwitch(ChangeKey key, Optional<byte[]> value, Runnable mirror) {
    modeLock.readLock().lock();
    try {
      FailoverState s = machine.state();
      if (s == HEALTHY || s == CLOSED) {
        return;
      }
      synchronized (journal) {
        if (journal.contains(key)) {
          journal.notePrimaryWrite(key, value);
        } else {
          mirror.run();
        }
      }
    } finally {
      modeLock.readLock().unlock();
    }
  }

  /** Whether the journal holds a change to {@code key}. */
  boolean journaled(ChangeKey key) {
    return journal.contains(key);
  }

  /** The object ids of a project with journaled changes. */
  List<String> journaledIds(String projectId) {
    return journal.objectIds(projectId);
  }

  long millis() {
    return clock.millis();
  }

  /** Runs {@code task} after every call served from the fallback, once its locks are released. */
  void runAfterOutageCalls(Runnable task) {
    afterOutageCalls.add(task);
  }

  void stopRunningAfterOutageCalls(Runnable task) {
    afterOutageCalls.remove(task);
  }

  /** Whether this thread is inside a call served from the fallback (holding its locks). */
  boolean inOutageCall() {
    return modeLock.getReadHoldCount() > 0 || modeLock.isWriteLockedByCurrentThread();
  }

  /**
   * Whether this thread is switching between primary and fallback (seeding the fallback, or
   * emptying it), which changes the fallback without any change to report.
   */
  boolean switchingOnThisThread() {
    return modeLock.isWriteLockedByCurrentThread();
  }

  void requireOpen() {
    if (machine.state() == CLOSED) {
      throw new IllegalStateException("this FailoverStore is closed");
    }
  }

  // ---- switching ----

  /** Switches to the fallback, once, if still healthy. */
  private void failOver(StoreException cause) {
    TransitionEvent.Reason reason = primaryAnswered
        ? TransitionEvent.Reason.PRIMARY_UNAVAILABLE
        : TransitionEvent.Reason.PRIMARY_UNAVAILABLE_AT_START;
    Optional<TransitionEvent> t;
    modeLock.writeLock().lock();
    try {
      if (machine.state() != HEALTHY) {
        return;
      }
      // The state first, then the seed: a call that completes on the primary meanwhile either
      // recorded its write in the local copy before the switch (and the seed has it) or sees the
      // new state and mirrors its write into the fallback once the seed is done.
      t = machine.transition(HEALTHY, FAILED_OVER, reason, cause);
      seedFallbacks();
      if (t.isPresent()) {
        failovers.increment();
        consecutiveFailures.set(0);
        bufferFullLogged = false;
        probeErrorLogged = false;
        outageStart = t.get().at();
        startProbing();
      }
    } finally {
      modeLock.writeLock().unlock();
    }
    if (t.isPresent()) {
      if (reason == TransitionEvent.Reason.PRIMARY_UNAVAILABLE_AT_START) {
        LOG.warn("Primary store unreachable at startup ({}); serving from memory and probing it"
            + " every {} ms", cause.getMessage(), config.probeInterval().toMillis());
      } else {
        LOG.warn("Primary store unavailable ({}); serving from memory (failover #{}) and"
            + " probing it every {} ms", cause.getMessage(), failovers.sum(),
            config.probeInterval().toMillis());
      }
      dispatch(List.of(t.get()));
    }
  }

  private void seedFallbacks() {
    long now = clock.millis();
    try {
      if (canvas != null) {
        canvas.seed(now - ttl.canvasTtl().toMillis());
      }
      if (presence != null) {
        presence.seed(now - ttl.presenceTtl().toMillis());
      }
      for (RoomSide side : rooms) {
        side.seed(now);
      }
    } catch (RuntimeException e) {
      LOG.warn("Seeding the fallback store from the local copy failed; outage reads may miss"
          + " some last known state: {}", e.toString());
    }
  }

  private void clearFallbacks() {
    try {
      if (canvas != null) {
        canvas.clearFallback();
      }
      if (presence != null) {
        presence.clearFallback();
      }
      rooms.forEach(RoomSide::clearFallback);
    } catch (RuntimeException e) {
      LOG.warn("Emptying the fallback store failed: {}", e.toString());
    }
  }

  private void start() {
    try {
      probe.run();
      primaryAnswered = true;
    } catch (StoreUnavailableException e) {
      failOver(e);
    }
  }

  private synchronized void startProbing() {
    if (!backgroundProbe || probeTask != null) {
      return;
    }
    ScheduledExecutorService s = scheduler;
    if (s == null) {
      ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "canvasstate-failover-probe-" + PROBE_THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      own.setRemoveOnCancelPolicy(true);
      s = own;
      scheduler = own;
    }
    long every = config.probeInterval().toMillis();
    probeTask = s.scheduleWithFixedDelay(this::probeTick, every, every, TimeUnit.MILLISECONDS);
  }

  private synchronized void stopProbing() {
    if (probeTask != null) {
      probeTask.cancel(false);
      probeTask = null;
    }
  }

  private synchronized void shutdownProbing() {
    stopProbing();
    if (ownsScheduler && scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private void probeTick() {
    try {
      probeNow();
    } catch (RuntimeException | Error e) {
      LOG.warn("The failover probe failed unexpectedly; it will run again: {}", e.toString());
    }
  }

  // ---- listeners ----

  private void dispatch(List<?> events) {
    for (Object event : events) {
      for (FailoverListener l : listeners) {
        try {
          if (event instanceof TransitionEvent t) {
            l.onTransition(t);
          } else if (event instanceof ConflictEvent c) {
            l.onConflict(c);
          } else if (event instanceof DroppedEvent d) {
            l.onDropped(d);
          }
        } catch (RuntimeException e) {
          LOG.warn("FailoverListener {} threw on {}: {}", l, event, e.toString());
        }
      }
    }
  }

  /**
   * Builds a {@link FailoverStore}. Set a canvas pair, a presence pair, or both; the store owns
   * them and closes them in {@link FailoverStore#close()}. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable CanvasStore<byte[]> canvasPrimary;
    private @Nullable CanvasStore<byte[]> canvasFallback;
    private @Nullable PresenceStore<byte[]> presencePrimary;
    private @Nullable PresenceStore<byte[]> presenceFallback;
    private FailoverConfig config = FailoverConfig.DEFAULT;
    private InstantSource clock = InstantSource.system();
    private TtlPolicy ttl = TtlPolicy.DEFAULT;
    private KeySchema keySchema = KeySchema.DEFAULT;
    private @Nullable Runnable probe;
    private @Nullable ScheduledExecutorService scheduler;
    private boolean backgroundProbe = true;
    private boolean probeAtStart = true;
    private final List<FailoverListener> listeners = new ArrayList<>();

    private Builder() {}

    /**
     * The canvas stores: the primary (Redis) and the fallback (in memory), both holding encoded
     * values ({@link Codec#bytes()}).
     */
    public Builder canvas(CanvasStore<byte[]> primary, CanvasStore<byte[]> fallback) {
      this.canvasPrimary = requireNonNull(primary, "primary");
      this.canvasFallback = requireNonNull(fallback, "fallback");
      return this;
    }

    /** The presence stores, primary and fallback, both holding encoded values. */
    public Builder presence(PresenceStore<byte[]> primary, PresenceStore<byte[]> fallback) {
      this.presencePrimary = requireNonNull(primary, "primary");
      this.presenceFallback = requireNonNull(fallback, "fallback");
      return this;
    }

    /** The thresholds, probe interval and limits; {@link FailoverConfig#DEFAULT} if not set. */
    public Builder config(FailoverConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /** The clock for state times, events and presence expiry; the system's by default. */
    public Builder clock(InstantSource clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The lifetimes the stores use: outage presences older than the presence lifetime are not
     * written back, and the fallback is seeded only with what was seen within a lifetime.
     */
    public Builder ttl(TtlPolicy ttl) {
      this.ttl = requireNonNull(ttl, "ttl");
      return this;
    }

    /** The key schema, to name keys in error messages as the primary would. */
    public Builder keySchema(KeySchema keySchema) {
      this.keySchema = requireNonNull(keySchema, "keySchema");
      return this;
    }

    /**
     * The health check run at startup and by the probe: it returns if the primary answers and
     * throws {@link StoreUnavailableException} if not (a Redis {@code PING}, say). By default,
     * a read of a key that never exists.
     */
    public Builder probe(Runnable probe) {
      this.probe = requireNonNull(probe, "probe");
      return this;
    }

    /**
     * The executor that runs the probe; by default the store starts one daemon thread, named
     * {@code canvasstate-failover-probe-N}, when it first fails over and stops it on close. An
     * executor given here is not shut down by the store.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Whether to probe in the background (the default); without it, only
     * {@link FailoverStore#probeNow()} probes, which is how tests drive recovery step by step.
     */
    public Builder backgroundProbe(boolean backgroundProbe) {
      this.backgroundProbe = backgroundProbe;
      return this;
    }

    /**
     * Whether {@link #build()} probes the primary (the default) so that a store built while it is
     * down starts on the fallback at once; without it, {@code build()} never contacts the primary
     * and the first call that cannot reach it fails over (for factories that promise not to
     * connect when created). Either way the first failover before the primary ever answered is
     * reported as {@link TransitionEvent.Reason#PRIMARY_UNAVAILABLE_AT_START}.
     */
    public Builder probeAtStart(boolean probeAtStart) {
      this.probeAtStart = probeAtStart;
      return this;
    }

    /** Adds a listener. */
    public Builder listener(FailoverListener listener) {
      listeners.add(requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the store and probes the primary once: if it cannot be reached the store starts on
     * the fallback ({@link TransitionEvent.Reason#PRIMARY_UNAVAILABLE_AT_START}) and moves to the
     * primary when it appears. This waits at most the primary's timeout.
     *
     * @throws IllegalStateException if neither a canvas nor a presence pair was set
     * @throws StoreException if the startup probe fails with anything but unavailability (bad
     *     credentials, say)
     */
    public FailoverStore build() {
      if ((canvasPrimary == null) && (presencePrimary == null)) {
        throw new IllegalStateException("set canvas(primary, fallback), presence(primary,"
            + " fallback) or both");
      }
      FailoverStore store = new FailoverStore(this);
      if (probeAtStart) {
        store.start();
      }
      return store;
    }
  }
}
