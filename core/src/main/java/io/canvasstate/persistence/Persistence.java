package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.internal.Values;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistence for one canvas store: ties a {@link CanvasRepository} to the store, loads the
 * projects the store does not hold from it (read-through), and saves what changed to it through
 * {@link AutoSaveWorker}s. Each instance (process) builds one and hands it to its store:
 *
 * <pre>{@code
 * Persistence<Shape> persistence = Persistence.builder(repository).build();
 * CanvasStore<Shape> canvas = redisStores.canvas(SHAPES, persistence); // or InMemoryCanvasStore
 * AutoSaveWorker worker = persistence.startWorker();
 * ...
 * worker.close(); // saves what is left
 * }</pre>
 *
 * <h2>What the store does with it</h2>
 * Every write records the objects it changed, in the same round trip as the write (see
 * {@link ChangeLog}); a project with unsaved changes does not expire until they are saved. An
 * operation on a project the store does not hold (never loaded, or expired after it was saved)
 * first loads it from the repository, once: the caller that gets the load lease loads it, the
 * others (on this instance or another) wait for it, at most
 * {@link PersistenceConfig#loadTimeout()}; a loader that dies is replaced after
 * {@link PersistenceConfig#loadLease()}. {@link #warm} preloads projects the same way.
 *
 * <h2>What the workers do</h2>
 * See {@link AutoSaveWorker}: every instance runs one; each change is saved by one instance at a
 * time, at least once.
 *
 * <h2>Watching it</h2>
 * {@link #stats()} and {@link PersistenceListener}s; save failures are logged once per streak,
 * on logger {@code io.canvasstate.persistence.Persistence}.
 *
 * <p>Thread-safe.
 *
 * @param <T> the type of the canvas objects
 */
public final class Persistence<T> {
  private static final Logger LOG = LoggerFactory.getLogger(Persistence.class);
  private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final CanvasRepository<T> repository;
  private final PersistenceConfig config;
  private final InstantSource clock;
  private final String instanceId;
  /** The load lease's owner token: never "E", which marks a project known to be empty. */
  private final String loadOwner;
  private final List<PersistenceListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger workers = new AtomicInteger();
  private final ConcurrentHashMap<String, CompletableFuture<Boolean>> loading =
      new ConcurrentHashMap<>();
  private volatile @Nullable Attached<T> attached;

  final LongAdder savedObjects = new LongAdder();
  final LongAdder saves = new LongAdder();
  final LongAdder saveFailures = new LongAdder();
  final LongAdder lostChanges = new LongAdder();
  /** Projects each worker is holding back after failures, summed in {@link #stats()}. */
  final List<IntSupplier> retryWaiting = new CopyOnWriteArrayList<>();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadWaits = new LongAdder();

  /** The store's side, once attached. */
  record Attached<T>(ChangeLog log, Codec<T> codec) {}

  private Persistence(Builder<T> b) {
    this.repository = b.repository;
    this.config = b.config;
    this.clock = b.clock;
    this.instanceId = b.instanceId != null ? b.instanceId
        : UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    this.loadOwner = "L" + instanceId;
    this.listeners.addAll(b.listeners);
  }

  /** A builder of persistence over {@code repository}. */
  public static <T> Builder<T> builder(CanvasRepository<T> repository) {
    return new Builder<>(requireNonNull(repository, "repository"));
  }

  // ---- the store's side ----

  /**
   * Connects this persistence to its store; called once, by the store factory given it (such as
   * {@code RedisStores.canvas(codec, persistence)}), not by applications.
   *
   * @param log the store's record of unsaved changes
   * @param codec the codec that turns the store's bytes into the repository's objects and back
   * @throws IllegalStateException if it is already attached to a store
   */
  public synchronized void attach(ChangeLog log, Codec<T> codec) {
    requireNonNull(log, "log");
    requireNonNull(codec, "codec");
    if (attached != null) {
      throw new IllegalStateException("this Persistence is already attached to a store; build"
          + " one Persistence per store");
    }
    attached = new Attached<>(log, codec);
  }

  /**
   * Makes sure the store holds a project: if it does not (no objects, no unsaved changes, not
   * known to be empty), loads it from the repository, or waits while another caller (on this
   * instance or another) does. Stores call it before an operation on a cold project; an
   * application calls {@link #warm}.
   *
   * @return whether this call loaded it from the repository
   * @throws IllegalArgumentException if the id is invalid
   * @throws IllegalStateException if no store is attached yet
   * @throws StoreUnavailableException if another instance's load did not finish within
   *     {@link PersistenceConfig#loadTimeout()}, or the store cannot be reached
   * @throws StoreException if the repository fails (the message names the project)
   */
  public boolean load(String projectId) {
    KeySchema.requireValidId("projectId", projectId);
    Attached<T> a = requireAttached();
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> running = loading.putIfAbsent(projectId, mine);
    if (running != null) {
      loadWaits.increment();
      await(projectId, running);
      return false;
    }
    try {
      boolean loaded = loadOnce(projectId, a);
      mine.complete(loaded);
      return loaded;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      loading.remove(projectId, mine);
    }
  }

  /**
   * Preloads projects into the store (cache warming), one after the other, as {@link #load}
   * does; projects the store holds already cost one round trip each.
   *
   * @return how many were loaded from the repository
   * @throws IllegalArgumentException if an id is invalid (before anything is loaded)
   * @throws StoreException as {@link #load} does, for the first project that fails
   */
  public int warm(Collection<String> projectIds) {
    requireNonNull(projectIds, "projectIds");
    List<String> ids = new ArrayList<>(projectIds);
    ids.forEach(id -> KeySchema.requireValidId("projectId", id));
    int loaded = 0;
    for (String id : ids) {
      if (load(id)) {
        loaded++;
      }
    }
    return loaded;
  }

  private boolean loadOnce(String projectId, Attached<T> a) {
    long deadline = System.nanoTime() + config.loadTimeout().toNanos();
    long pause = FIRST_PAUSE_NANOS;
    boolean waited = false;
    while (true) {
      switch (a.log().beginLoad(projectId, loadOwner, config.loadLease())) {
        case RESIDENT -> {
          return false;
        }
        case LOAD -> {
          return loadNow(projectId, a);
        }
        case WAIT -> {
          if (!waited) {
            waited = true;
            loadWaits.increment();
          }
          if (System.nanoTime() - deadline > 0) {
            throw new StoreUnavailableException("project \"" + projectId + "\" is being loaded"
                + " from the repository by another instance, which did not finish within "
                + config.loadTimeout());
          }
          pause(projectId, pause);
          pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
      }
    }
  }

  private boolean loadNow(String projectId, Attached<T> a) {
    Instant started = clock.instant();
    Map<String, byte[]> encoded = new LinkedHashMap<>();
    try {
      Map<String, T> objects = repository.load(projectId);
      requireNonNull(objects, "the repository returned null");
      objects.forEach((objectId, value) -> {
        KeySchema.requireValidId("objectId", objectId);
        encoded.put(objectId, Values.encode(a.codec(), objectId, value, Integer.MAX_VALUE));
      });
    } catch (RuntimeException e) {
      try {
        a.log().abandonLoad(projectId, loadOwner);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StoreException("cannot load project \"" + projectId + "\" from the repository: "
          + e, e);
    }
    boolean stored = a.log().finishLoad(projectId, loadOwner, encoded);
    if (stored) {
      loads.increment();
      Instant now = clock.instant();
      LoadEvent event = new LoadEvent(projectId, encoded.size(), between(started, now), now);
      LOG.debug("Loaded project {} from the repository: {} objects", projectId, encoded.size());
      dispatch(l -> l.onLoaded(event));
    }
    return stored;
  }

  private void await(String projectId, CompletableFuture<Boolean> running) {
    try {
      running.get(config.loadTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new StoreException("loading project \"" + projectId + "\" failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new StoreUnavailableException("project \"" + projectId + "\" is being loaded from the"
          + " repository and was not loaded within " + config.loadTimeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for project \"" + projectId
          + "\" to load", e);
    }
  }

  private static void pause(String projectId, long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for project \"" + projectId
          + "\" to load", e);
    }
  }

  // ---- the workers ----

  /**
   * A new worker that saves this store's changes, not started: call {@link AutoSaveWorker#start}
   * or drive it with {@link AutoSaveWorker#runOnce}.
   *
   * @throws IllegalStateException if no store is attached yet
   */
  public AutoSaveWorker worker() {
    requireAttached();
    return new AutoSaveWorker(this, "w" + instanceId + "-" + workers.incrementAndGet());
  }

  /**
   * A new worker, started: it saves every {@link PersistenceConfig#saveInterval()} until closed.
   *
   * @throws IllegalStateException if no store is attached yet
   */
  public AutoSaveWorker startWorker() {
    return worker().start();
  }

  // ---- watching ----

  /**
   * The counters of this instance and the store's backlog of unsaved changes (which costs one
   * call to the store; the backlog is empty if the store cannot be reached).
   *
   * @throws IllegalStateException if no store is attached yet
   */
  public PersistenceStats stats() {
    Attached<T> a = requireAttached();
    Optional<ChangeLog.Backlog> backlog;
    try {
      backlog = Optional.of(a.log().backlog());
    } catch (StoreException e) {
      LOG.debug("Could not read the backlog of unsaved changes: {}", e.getMessage());
      backlog = Optional.empty();
    }
    int waiting = 0;
    for (IntSupplier w : retryWaiting) {
      waiting += w.getAsInt();
    }
    return new PersistenceStats(savedObjects.sum(), saves.sum(), saveFailures.sum(), loads.sum(),
        loadWaits.sum(), lostChanges.sum(), waiting, backlog);
  }

  /** Adds a listener; see {@link PersistenceListener} for how it is called. */
  public void addListener(PersistenceListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Removes a listener added before; does nothing if it was not. */
  public void removeListener(PersistenceListener listener) {
    listeners.remove(requireNonNull(listener, "listener"));
  }

  /** The durable store this persistence saves to and loads from. */
  public CanvasRepository<T> repository() {
    return repository;
  }

  /** The intervals, leases and limits this persistence runs with. */
  public PersistenceConfig config() {
    return config;
  }

  /** The id of this instance, part of the owner of its workers' claims and load leases. */
  public String instanceId() {
    return instanceId;
  }

  @Override
  public String toString() {
    return "Persistence[" + repository + ", instance " + instanceId
        + (attached == null ? ", not attached" : "") + "]";
  }

  // ---- for the workers ----

  Attached<T> requireAttached() {
    Attached<T> a = attached;
    if (a == null) {
      throw new IllegalStateException("this Persistence is not attached to a store yet: build the"
          + " store with it first");
    }
    return a;
  }

  InstantSource clock() {
    return clock;
  }

  void dispatch(Consumer<PersistenceListener> event) {
    for (PersistenceListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("PersistenceListener {} threw: {}", l, e.toString());
      }
    }
  }

  static Duration between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** Builds a {@link Persistence}. Not thread-safe. */
  public static final class Builder<T> {
    private final CanvasRepository<T> repository;
    private PersistenceConfig config = PersistenceConfig.DEFAULT;
    private InstantSource clock = InstantSource.system();
    private @Nullable String instanceId;
    private final List<PersistenceListener> listeners = new ArrayList<>();

    private Builder(CanvasRepository<T> repository) {
      this.repository = repository;
    }

    /** The intervals, leases and limits; {@link PersistenceConfig#DEFAULT} if not set. */
    public Builder<T> config(PersistenceConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /** The clock of event times and durations; the system's by default. */
    public Builder<T> clock(InstantSource clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The id of this instance in the owners of claims and load leases; random by default. Two
     * instances sharing a store must not share it.
     *
     * @throws IllegalArgumentException if it is not a valid id ({@link KeySchema#requireValidId})
     */
    public Builder<T> instanceId(String instanceId) {
      this.instanceId = KeySchema.requireValidId("instanceId", instanceId);
      return this;
    }

    /** Adds a listener. */
    public Builder<T> listener(PersistenceListener listener) {
      listeners.add(requireNonNull(listener, "listener"));
      return this;
    }

    /** The persistence these settings describe; no worker runs until one is started. */
    public Persistence<T> build() {
      return new Persistence<>(this);
    }
  }
}
