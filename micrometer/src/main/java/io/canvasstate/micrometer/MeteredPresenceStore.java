package io.canvasstate.micrometer;

import io.canvasstate.PresenceEvent;
import io.canvasstate.PresenceListener;
import io.canvasstate.PresenceStore;
import io.canvasstate.Subscription;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A presence store that forwards every call to another and measures it (see
 * {@link CanvasStateMetrics#presence}). Thread-safe if the store it wraps is.
 */
final class MeteredPresenceStore<P> implements PresenceStore<P> {
  private final PresenceStore<P> store;
  private final Operations ops;
  private final Operations.Op put;
  private final Operations.Op get;
  private final Operations.Op remove;
  private final Operations.Op getAll;
  private final Operations.Op activeUsers;
  private final Operations.Op subscribe;

  MeteredPresenceStore(PresenceStore<P> store, Operations ops) {
    this.store = store;
    this.ops = ops;
    this.put = ops.op("put");
    this.get = ops.op("get");
    this.remove = ops.op("remove");
    this.getAll = ops.op("get_all");
    this.activeUsers = ops.op("active_users");
    this.subscribe = ops.op("subscribe");
  }

  @Override
  public void put(String userId, P presence) {
    put.call(() -> {
      store.put(userId, presence);
      return null;
    });
  }

  @Override
  public Optional<P> get(String userId) {
    return get.call(() -> store.get(userId));
  }

  @Override
  public boolean remove(String userId) {
    return remove.call(() -> store.remove(userId));
  }

  @Override
  public Map<String, P> getAll() {
    return getAll.call(store::getAll);
  }

  @Override
  public Set<String> activeUsers() {
    return activeUsers.call(store::activeUsers);
  }

  @Override
  public Subscription subscribe(PresenceListener<P> listener) {
    Objects.requireNonNull(listener, "listener");
    PresenceListener<P> measured = event -> {
      ops.event(Operations.type(event),
          event instanceof PresenceEvent.Resync<P> r ? r.reason() : null);
      long start = System.nanoTime();
      try {
        listener.onEvent(event);
      } finally {
        ops.listenerTook(System.nanoTime() - start);
      }
    };
    return subscribe.call(() -> store.subscribe(measured));
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
