package io.canvasstate.micrometer;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasListener;
import io.canvasstate.CanvasStore;
import io.canvasstate.Subscription;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A canvas store that forwards every call to another and measures it (see
 * {@link CanvasStateMetrics#canvas}). {@code asMap} is the interface's view over this store, so
 * its calls are measured as the operations they make. Thread-safe if the store it wraps is.
 */
final class MeteredCanvasStore<T> implements CanvasStore<T> {
  private final CanvasStore<T> store;
  private final Operations ops;
  private final Operations.Op get;
  private final Operations.Op put;
  private final Operations.Op putAll;
  private final Operations.Op remove;
  private final Operations.Op getAll;
  private final Operations.Op ids;
  private final Operations.Op count;
  private final Operations.Op clear;
  private final Operations.Op activeProjects;
  private final Operations.Op putIfAbsent;
  private final Operations.Op getAndPut;
  private final Operations.Op getAndRemove;
  private final Operations.Op replace;
  private final Operations.Op compareAndSet;
  private final Operations.Op removeIfEqual;
  private final Operations.Op subscribe;
  /** Subscriptions through this store, by project: only their puts wait for an echo. */
  private final ConcurrentHashMap<String, AtomicInteger> watched = new ConcurrentHashMap<>();
  /**
   * When puts through this store started, by project and object, until their own change event
   * reaches a listener: the delivery lag. At most {@link #MAX_ECHOES}, so a put that produces no
   * event (an unchanged value) never makes it grow without bound.
   */
  private final ConcurrentHashMap<String, Long> echoes = new ConcurrentHashMap<>();
  static final int MAX_ECHOES = 10_000;

  MeteredCanvasStore(CanvasStore<T> store, Operations ops) {
    this.store = store;
    this.ops = ops;
    this.get = ops.op("get");
    this.put = ops.op("put");
    this.putAll = ops.op("put_all");
    this.remove = ops.op("remove");
    this.getAll = ops.op("get_all");
    this.ids = ops.op("ids");
    this.count = ops.op("count");
    this.clear = ops.op("clear");
    this.activeProjects = ops.op("active_projects");
    this.putIfAbsent = ops.op("put_if_absent");
    this.getAndPut = ops.op("get_and_put");
    this.getAndRemove = ops.op("get_and_remove");
    this.replace = ops.op("replace");
    this.compareAndSet = ops.op("compare_and_set");
    this.removeIfEqual = ops.op("remove_if_equal");
    this.subscribe = ops.op("subscribe");
  }

  @Override
  public Optional<T> get(String projectId, String objectId) {
    long start = System.nanoTime();
    try {
      Optional<T> result = store.get(projectId, objectId);
      get.succeeded(start);
      return result;
    } catch (RuntimeException e) {
      throw get.failed(start, e);
    }
  }

  @Override
  public void put(String projectId, String objectId, T object) {
    long start = System.nanoTime();
    // Noted before the write: its event can reach a listener before the call returns.
    boolean echo = !watched.isEmpty() && watched.containsKey(projectId);
    if (echo) {
      awaitEcho(projectId, objectId, start);
    }
    try {
      store.put(projectId, objectId, object);
      put.succeeded(start);
    } catch (RuntimeException e) {
      if (echo) {
        echoes.remove(echoKey(projectId, objectId), start);
      }
      throw put.failed(start, e);
    }
  }

  @Override
  public void putAll(String projectId, Map<String, ? extends T> objects) {
    putAll.call(() -> {
      store.putAll(projectId, objects);
      return null;
    });
  }

  @Override
  public boolean remove(String projectId, String objectId) {
    return remove.call(() -> store.remove(projectId, objectId));
  }

  @Override
  public Map<String, T> getAll(String projectId) {
    return getAll.call(() -> store.getAll(projectId));
  }

  @Override
  public Set<String> ids(String projectId) {
    return ids.call(() -> store.ids(projectId));
  }

  @Override
  public int count(String projectId) {
    return count.call(() -> store.count(projectId));
  }

  @Override
  public void clear(String projectId) {
    clear.call(() -> {
      store.clear(projectId);
      return null;
    });
  }

  @Override
  public Set<String> activeProjects() {
    return activeProjects.call(store::activeProjects);
  }

  @Override
  public Optional<T> putIfAbsent(String projectId, String objectId, T object) {
    return putIfAbsent.call(() -> store.putIfAbsent(projectId, objectId, object));
  }

  @Override
  public Optional<T> getAndPut(String projectId, String objectId, T object) {
    return getAndPut.call(() -> store.getAndPut(projectId, objectId, object));
  }

  @Override
  public Optional<T> getAndRemove(String projectId, String objectId) {
    return getAndRemove.call(() -> store.getAndRemove(projectId, objectId));
  }

  @Override
  public Optional<T> replace(String projectId, String objectId, T object) {
    return replace.call(() -> store.replace(projectId, objectId, object));
  }

  @Override
  public boolean replace(String projectId, String objectId, T expected, T replacement) {
    return compareAndSet.call(() -> store.replace(projectId, objectId, expected, replacement));
  }

  @Override
  public boolean remove(String projectId, String objectId, T expected) {
    return removeIfEqual.call(() -> store.remove(projectId, objectId, expected));
  }

  @Override
  public Subscription subscribe(String projectId, CanvasListener<T> listener) {
    Objects.requireNonNull(listener, "listener");
    CanvasListener<T> measured = event -> {
      ops.event(Operations.type(event),
          event instanceof CanvasEvent.Resync<T> r ? r.reason() : null);
      if (event instanceof CanvasEvent.Put<T> p && p.isFrom(store.instanceId())) {
        Long started = echoes.remove(echoKey(p.projectId(), p.objectId()));
        if (started != null) {
          ops.delivered(System.nanoTime() - started);
        }
      }
      long start = System.nanoTime();
      try {
        listener.onEvent(event);
      } finally {
        ops.listenerTook(System.nanoTime() - start);
      }
    };
    Subscription subscription = subscribe.call(() -> store.subscribe(projectId, measured));
    watched.computeIfAbsent(projectId, p -> new AtomicInteger()).incrementAndGet();
    return new Subscription() {
      private final AtomicBoolean closed = new AtomicBoolean();

      @Override
      public void close() {
        subscription.close();
        if (closed.compareAndSet(false, true)) {
          watched.computeIfPresent(projectId, (p, n) -> n.decrementAndGet() == 0 ? null : n);
        }
      }

      @Override
      public boolean isActive() {
        return subscription.isActive();
      }
    };
  }

  private void awaitEcho(String projectId, String objectId, long start) {
    if (echoes.size() >= MAX_ECHOES) {
      echoes.clear();
    }
    echoes.put(echoKey(projectId, objectId), start);
  }

  private static String echoKey(String projectId, String objectId) {
    return projectId + '\u0000' + objectId;
  }

  @Override
  public String instanceId() {
    return store.instanceId();
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "Metered[" + store + "]";
  }
}
