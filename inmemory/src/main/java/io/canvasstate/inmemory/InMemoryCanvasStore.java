package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasListener;
import io.canvasstate.CanvasTooLargeException;
import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.ResyncReason;
import io.canvasstate.StoreException;
import io.canvasstate.Subscription;
import io.canvasstate.TtlPolicy;
import io.canvasstate.internal.DecodeFailures;
import io.canvasstate.internal.EventHub;
import io.canvasstate.internal.Values;
import io.canvasstate.persistence.ChangeLog;
import io.canvasstate.persistence.Persistence;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CanvasStore} that keeps every project in this process, with the same observable
 * semantics as the Redis store: it is the store of a single instance, the fallback of the
 * failover decorator, and the fake for unit tests of code that uses a store.
 *
 * <p>Values are kept as their encoded bytes, as Redis keeps them: changing an object after
 * {@link #put} or after {@link #get} does not change what is stored, and a value the codec
 * cannot read back fails here as it would against Redis. Values are limited to
 * {@code maxValueBytes} encoded ({@link io.canvasstate.StoreConfig#DEFAULT_MAX_VALUE_BYTES} by default).
 *
 * <p>Lifetimes follow the injected clock: a project expires as a whole
 * {@linkplain TtlPolicy#canvasTtl() canvasTtl} after its last read or write (every operation
 * on a project slides it, {@link #get}, {@link #getAll}, {@link #ids} and {@link #count}
 * included). A project with no objects does not exist, so it is not active. Expired projects
 * are dropped as operations run; pruning costs what expired, not what is stored.
 *
 * <p>With {@linkplain Persistence persistence} ({@link #builder(Codec, Persistence)}) the store
 * records every change for the auto-save workers under the project's lock, keeps a project with
 * unsaved changes from expiring, and loads a project it does not hold from the repository before
 * an operation on it: an embedded durable store, with a
 * {@link io.canvasstate.persistence.JsonFileCanvasRepository}.
 *
 * <p>Thread-safe. Every single-object operation is atomic and {@link #getAll} is a consistent
 * snapshot: operations on one project are serialized, operations on different projects run in
 * parallel. Values are decoded outside the lock.
 *
 * <p>{@linkplain #subscribe Events} are delivered in-process, on the writing thread once the
 * write's lock is released, in the order the writes of a project were applied. A project that
 * expires produces no event.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.create();
 * InMemoryCanvasStore<Shape> store = InMemoryCanvasStore.builder(JacksonCodec.of(Shape.class))
 *     .clock(clock)
 *     .ttl(TtlPolicy.DEFAULT)
 *     .build();
 * }</pre>
 *
 * @param <T> the type of the canvas objects
 */
public final class InMemoryCanvasStore<T> implements CanvasStore<T> {
  /** Loads of a cold project before an operation gives up (it expired again each time). */
  private static final int MAX_COLD_ATTEMPTS = 3;
  private final Codec<T> codec;
  private final InstantSource clock;
  private final TtlPolicy ttl;
  private final long ttlMillis;
  private final int maxValueBytes;
  private final int maxCanvasObjects;
  private final ConcurrentHashMap<String, Project> projects = new ConcurrentHashMap<>();
  private final ExpiryIndex expiries = new ExpiryIndex();
  private final DecodeFailures decodeFailures = new DecodeFailures();
  private final String instanceId;
  private final EventHub<String, CanvasEvent<T>> events;
  private final @Nullable Persistence<T> persistence;
  private final @Nullable InMemoryChangeLog changes;
  private volatile boolean closed;

  /**
   * One project's objects: written only inside {@code projects.compute} for its id, and read
   * there too, but for the {@linkplain #get lock-free reads} of a project touched already within
   * the same millisecond.
   */
  private static final class Project {
    final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    /** Read without the lock by {@link #activeProjects()}. */
    volatile long expiresAt = ExpiryIndex.NONE;
  }

  private InMemoryCanvasStore(Codec<T> codec, InMemoryStoreBuilder<?> b,
      @Nullable Persistence<T> persistence) {
    this.codec = codec;
    this.clock = b.clock();
    this.ttl = b.ttl();
    this.ttlMillis = ExpiryIndex.millis(b.ttl().canvasTtl());
    this.maxValueBytes = b.maxValueBytes();
    this.maxCanvasObjects = b.maxCanvasObjects();
    this.instanceId = b.instanceId();
    this.events = new EventHub<>("canvas events of " + instanceId);
    this.persistence = persistence;
    this.changes = persistence == null ? null : new InMemoryChangeLog(this, clock, ttlMillis);
  }

  /** A store with the default lifetimes and value limit, on the system clock. */
  public static <T> InMemoryCanvasStore<T> create(Codec<T> codec) {
    return builder(codec).build();
  }

  /** A builder for a store that uses {@code codec}. */
  public static <T> InMemoryStoreBuilder<InMemoryCanvasStore<T>> builder(Codec<T> codec) {
    requireNonNull(codec, "codec");
    return new InMemoryStoreBuilder<>(b -> new InMemoryCanvasStore<>(codec, b, null));
  }

  /**
   * A builder for a store that uses {@code codec}, with {@code persistence}: the store records
   * its changes for {@code persistence}'s {@linkplain Persistence#startWorker() auto-save
   * workers}, a project with unsaved changes does not expire, and a project the store does not
   * hold is loaded from the repository when it is asked for. {@code build()} attaches the store
   * to {@code persistence}, and throws {@link IllegalStateException} if it is attached already.
   */
  public static <T> InMemoryStoreBuilder<InMemoryCanvasStore<T>> builder(
      Codec<T> codec, Persistence<T> persistence) {
    requireNonNull(codec, "codec");
    requireNonNull(persistence, "persistence");
    return new InMemoryStoreBuilder<>(b -> {
      InMemoryCanvasStore<T> store = new InMemoryCanvasStore<>(codec, b, persistence);
      persistence.attach(requireNonNull(store.changes), codec);
      return store;
    });
  }

  // ---- the store ----

  @Override
  public Optional<T> get(String projectId, String objectId) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    if (changes == null) {
      // A read of a project touched already in this millisecond would not move its expiry: it
      // changes nothing, so it needs no lock (and it is the common case of a busy canvas).
      ensureOpen();
      Project live = projects.get(projectId);
      if (live != null && live.expiresAt == ExpiryIndex.expiry(clock.millis(), ttlMillis)) {
        return decode(projectId, objectId, live.objects.get(objectId));
      }
    }
    return decode(projectId, objectId, apply(projectId, objects -> objects.get(objectId)));
  }

  @Override
  public void put(String projectId, String objectId, T object) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    byte[] bytes = encode(objectId, object);
    apply(projectId, objects -> {
      requireRoom(projectId, objects, objectId, "put");
      return emitPut(projectId, objectId, bytes, objects.put(objectId, bytes));
    });
  }

  @Override
  public void putAll(String projectId, Map<String, ? extends T> objects) {
    Values.id("projectId", projectId);
    requireNonNull(objects, "objects");
    Map<String, byte[]> encoded = new LinkedHashMap<>();
    objects.forEach((objectId, object) -> {
      Values.id("objectId", objectId);
      encoded.put(objectId, encode(objectId, object));
    });
    if (!encoded.isEmpty()) {
      apply(projectId, stored -> {
        long added = encoded.keySet().stream().filter(id -> !stored.containsKey(id)).count();
        if (stored.size() + added > maxCanvasObjects) {
          throw new CanvasTooLargeException(projectId, maxCanvasObjects,
              "putAll of " + encoded.size() + " objects");
        }
        stored.putAll(encoded);
        encoded.forEach((objectId, bytes) -> emitPut(projectId, objectId, bytes, null));
        return null;
      });
    }
  }

  @Override
  public boolean remove(String projectId, String objectId) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    return apply(projectId, objects -> emitRemoved(projectId, objectId, objects.remove(objectId)))
        != null;
  }

  @Override
  public Map<String, T> getAll(String projectId) {
    Values.id("projectId", projectId);
    Map<String, byte[]> snapshot = apply(projectId, LinkedHashMap::new);
    if (snapshot.isEmpty()) {
      return Map.of();
    }
    String key = KeySchema.DEFAULT.objectsKey(projectId);
    Map<String, T> result = new LinkedHashMap<>();
    snapshot.forEach((objectId, bytes) -> {
      try {
        result.put(objectId, Values.decode(codec, key, objectId, bytes));
      } catch (CodecException e) {
        decodeFailures.record(key, objectId, e);
      }
    });
    return Map.copyOf(result);
  }

  @Override
  public Set<String> ids(String projectId) {
    Values.id("projectId", projectId);
    return apply(projectId, objects -> Set.copyOf(objects.keySet()));
  }

  @Override
  public int count(String projectId) {
    Values.id("projectId", projectId);
    return apply(projectId, Map::size);
  }

  @Override
  public void clear(String projectId) {
    Values.id("projectId", projectId);
    if (changes != null) {
      apply(projectId, objects -> {
        if (!objects.isEmpty()) {
          events.enqueue(projectId, new CanvasEvent.Cleared<>(projectId, instanceId));
        }
        objects.clear(); // each object becomes an unsaved delete
        return null;
      });
      return;
    }
    ensureOpen();
    long now = clock.millis();
    prune(now);
    projects.computeIfPresent(projectId, (id, project) -> {
      expiries.remove(id, project.expiresAt);
      if (project.expiresAt > now) {
        events.enqueue(id, new CanvasEvent.Cleared<>(id, instanceId));
      }
      return null;
    });
    events.drain();
  }

  @Override
  public Set<String> activeProjects() {
    ensureOpen();
    long now = clock.millis();
    prune(now);
    Set<String> active = new HashSet<>();
    projects.forEach((id, project) -> {
      if (project.expiresAt > now) {
        active.add(id);
      }
    });
    return Set.copyOf(active);
  }

  @Override
  public Optional<T> putIfAbsent(String projectId, String objectId, T object) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    byte[] bytes = encode(objectId, object);
    return decode(projectId, objectId, apply(projectId, objects -> {
      requireRoom(projectId, objects, objectId, "putIfAbsent");
      byte[] previous = objects.putIfAbsent(objectId, bytes);
      return previous != null ? previous : emitPut(projectId, objectId, bytes, null);
    }));
  }

  /**
   * {@inheritDoc}
   *
   * <p>If the previous value cannot be decoded, the new value is stored all the same and a
   * {@link CodecException} naming the key is thrown.
   */
  @Override
  public Optional<T> getAndPut(String projectId, String objectId, T object) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    byte[] bytes = encode(objectId, object);
    return decode(projectId, objectId, apply(projectId, objects -> {
      requireRoom(projectId, objects, objectId, "getAndPut");
      return emitPut(projectId, objectId, bytes, objects.put(objectId, bytes));
    }));
  }

  /**
   * {@inheritDoc}
   *
   * <p>If the value cannot be decoded, it is removed all the same and a {@link CodecException}
   * naming the key is thrown.
   */
  @Override
  public Optional<T> getAndRemove(String projectId, String objectId) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    return decode(projectId, objectId,
        apply(projectId, objects -> emitRemoved(projectId, objectId, objects.remove(objectId))));
  }

  @Override
  public Optional<T> replace(String projectId, String objectId, T object) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    byte[] bytes = encode(objectId, object);
    return decode(projectId, objectId, apply(projectId, objects -> {
      byte[] previous = objects.replace(objectId, bytes);
      return previous == null ? null : emitPut(projectId, objectId, bytes, previous);
    }));
  }

  @Override
  public boolean replace(String projectId, String objectId, T expected, T replacement) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    byte[] expectedBytes = encode(objectId, expected);
    byte[] bytes = encode(objectId, replacement);
    return ifCurrentIs(projectId, objectId, expectedBytes,
        objects -> emitPut(projectId, objectId, bytes, objects.put(objectId, bytes)));
  }

  @Override
  public boolean remove(String projectId, String objectId, T expected) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    byte[] expectedBytes = encode(objectId, expected);
    return ifCurrentIs(projectId, objectId, expectedBytes,
        objects -> emitRemoved(projectId, objectId, objects.remove(objectId)));
  }

  @Override
  public Subscription subscribe(String projectId, CanvasListener<T> listener) {
    Values.id("projectId", projectId);
    requireNonNull(listener, "listener");
    ensureOpen();
    return events.subscribe(projectId, listener::onEvent);
  }

  @Override
  public String instanceId() {
    return instanceId;
  }

  /**
   * Marks the store closed and ends its subscriptions; later calls throw
   * {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    events.close();
  }

  // ---- for tests and tools ----

  /**
   * Stores raw bytes as an object's value, bypassing the codec and the size limit, as another
   * client writing JSON by hand would (redis-cli, a Node service). For tests of how the store
   * treats values it did not write: undecodable JSON, or JSON with other spacing or field order.
   * Like any write, it refreshes the project's lifetime and marks it active.
   *
   * @throws IllegalArgumentException if an id is invalid
   * @throws IllegalStateException if the store is closed
   */
  public void putEncoded(String projectId, String objectId, byte[] bytes) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    byte[] copy = requireNonNull(bytes, "bytes").clone();
    apply(projectId, objects -> emitPut(projectId, objectId, copy, objects.put(objectId, copy)));
  }

  /** How many stored values {@link #getAll} has left out because they could not be decoded. */
  public long undecodableValues() {
    return decodeFailures.count();
  }

  /** The lifetimes this store applies. */
  public TtlPolicy ttl() {
    return ttl;
  }

  @Override
  public String toString() {
    return "InMemoryCanvasStore[codec=" + codec + ", canvasTtl=" + ttl.canvasTtl()
        + ", instanceId=" + instanceId + "]";
  }

  // ---- internals ----

  /**
   * Runs {@code op} on a project's objects atomically, after dropping the project if it expired.
   * The project then lives on, with a fresh lifetime, if it has objects, and is dropped if not.
   */
  private <R> R apply(String projectId, Function<Map<String, byte[]>, R> op) {
    InMemoryChangeLog log = changes;
    for (int attempt = 0; ; attempt++) {
      Holder<R> result = this.<R>underLock(projectId, (id, live, now, holder) -> {
        if (live == null && log != null && !log.resident(id, now)) {
          holder.cold = true;
          return null;
        }
        Project project = live == null ? new Project() : live;
        if (log == null) {
          holder.value = op.apply(project.objects);
          return settle(id, project, now, false);
        }
        RecordingMap view = new RecordingMap(project.objects);
        holder.value = op.apply(view);
        return settle(id, project, now, log.record(id, view, now));
      });
      if (!result.cold) {
        return result.value;
      }
      if (attempt >= MAX_COLD_ATTEMPTS) {
        throw new StoreException("project \"" + projectId + "\" expired again each of "
            + MAX_COLD_ATTEMPTS + " times it was loaded (is the canvas TTL shorter than a load?)");
      }
      requireNonNull(persistence).load(projectId);
    }
  }

  /**
   * After an operation, under the project's lock: drops a project left without objects, else
   * starts its lifetime again, or takes it away while it has unsaved changes ({@code pinned}).
   */
  private @Nullable Project settle(String id, Project project, long now, boolean pinned) {
    if (project.objects.isEmpty()) {
      expiries.remove(id, project.expiresAt);
      return null;
    }
    long expiresAt = pinned ? Long.MAX_VALUE : ExpiryIndex.expiry(now, ttlMillis);
    expiries.move(id, project.expiresAt, expiresAt);
    project.expiresAt = expiresAt;
    return project;
  }

  /** An operation of the change log on a project's objects, under the project's lock. */
  @FunctionalInterface
  interface Locked<R> {
    R apply(Map<String, byte[]> objects, long now);
  }

  /**
   * Runs {@code op} for the {@link ChangeLog} under a project's lock, with its live objects (an
   * empty map if it has none, which {@code op} may fill) and the time; then settles the project
   * as an operation would: it starts its lifetime again, unless it has unsaved changes.
   */
  <R> R locked(String projectId, Locked<R> op) {
    InMemoryChangeLog log = requireNonNull(changes);
    return this.<R>underLock(projectId, (id, live, now, holder) -> {
      Project project = live == null ? new Project() : live;
      holder.value = op.apply(project.objects, now);
      return settle(id, project, now, log.isDirty(id));
    }).value;
  }

  /** The most objects one project's canvas may hold. */
  int maxCanvasObjects() {
    return maxCanvasObjects;
  }

  /**
   * Refuses a write that would add {@code objectId} to a canvas already at
   * {@link InMemoryStoreBuilder#maxCanvasObjects}; call under the project's lock, before writing.
   */
  private void requireRoom(String projectId, Map<String, byte[]> objects, String objectId,
      String op) {
    if (objects.size() >= maxCanvasObjects && !objects.containsKey(objectId)) {
      throw new CanvasTooLargeException(projectId, maxCanvasObjects, op);
    }
  }

  /** A step under a project's lock: gets the project unless it expired, returns its successor. */
  @FunctionalInterface
  private interface Step<R> {
    @Nullable Project apply(String id, @Nullable Project live, long now, Holder<R> result);
  }

  /**
   * Runs {@code step} under a project's lock, after dropping the projects that expired (this one
   * included, which {@code step} then sees as absent).
   */
  private <R> Holder<R> underLock(String projectId, Step<R> step) {
    ensureOpen();
    long now = clock.millis();
    prune(now);
    Holder<R> result = new Holder<>();
    projects.compute(projectId, (id, current) -> {
      Project live = current;
      if (live != null && live.expiresAt <= now) {
        expiries.remove(id, live.expiresAt);
        live = null;
      }
      return step.apply(id, live, now, result);
    });
    events.drain();
    return result;
  }

  /**
   * Queues a put event for the project's listeners, if it has any; call under the project's
   * lock, so that events queue in write order. Returns {@code previous}, for chaining.
   */
  private byte @Nullable [] emitPut(
      String projectId, String objectId, byte[] bytes, byte @Nullable [] previous) {
    if (events.hasListeners(projectId)) {
      CanvasEvent<T> event;
      try {
        T value = Values.decode(codec, KeySchema.DEFAULT.objectsKey(projectId), objectId, bytes);
        event = new CanvasEvent.Put<>(projectId, objectId, value, instanceId);
      } catch (CodecException e) {
        event = new CanvasEvent.Resync<>(projectId, ResyncReason.UNDECODABLE_EVENT);
      }
      events.enqueue(projectId, event);
    }
    return previous;
  }

  /** Queues a removed event if {@code previous} (the removed value) is there; returns it. */
  private byte @Nullable [] emitRemoved(
      String projectId, String objectId, byte @Nullable [] previous) {
    if (previous != null) {
      events.enqueue(projectId, new CanvasEvent.Removed<>(projectId, objectId, instanceId));
    }
    return previous;
  }

  /**
   * Applies {@code change} atomically if the object's current value is {@code expected} under
   * the store's equality rule ({@link Values#sameValue}).
   *
   * @return whether it was applied
   */
  private boolean ifCurrentIs(String projectId, String objectId, byte[] expected,
      Consumer<Map<String, byte[]>> change) {
    return apply(projectId, objects -> {
      byte[] current = objects.get(objectId);
      if (current == null || !Values.sameValue(codec, current, expected)) {
        return false;
      }
      change.accept(objects);
      return true;
    });
  }

  /** Drops the projects that expired at {@code now}. */
  private void prune(long now) {
    expiries.pollExpired(now, id -> projects.computeIfPresent(id, (key, project) -> {
      if (project.expiresAt > now) {
        return project;
      }
      expiries.remove(key, project.expiresAt);
      return null;
    }));
  }

  private byte[] encode(String objectId, T object) {
    return Values.encode(codec, objectId, requireNonNull(object, "object"), maxValueBytes);
  }

  private Optional<T> decode(String projectId, String objectId, byte @Nullable [] bytes) {
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.decode(bytes));
    } catch (RuntimeException e) {
      // The key is only named in the message: built (and its id checked again) only then.
      throw Values.decodeFailure(KeySchema.DEFAULT.objectsKey(projectId), objectId, e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("InMemoryCanvasStore is closed");
    }
  }

  /** Carries a result out of a {@code compute} lambda. */
  private static final class Holder<R> {
    @Nullable R value;
    boolean cold;
  }
}
