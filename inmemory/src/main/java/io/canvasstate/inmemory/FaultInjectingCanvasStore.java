package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasListener;
import io.canvasstate.CanvasStore;
import io.canvasstate.Subscription;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link CanvasStore} that forwards every call to another store, unless its {@link Faults}
 * switch makes the call fail or wait first; and counts the calls per method. For testing code
 * that must survive an unreachable store, such as the failover decorator.
 *
 * <p>Calls are counted by method name (overloads share a name: {@code "remove"} counts both
 * {@code remove} methods), failed calls included. A failed call throws what the switch says
 * (a {@link io.canvasstate.StoreUnavailableException} {@code "injected: canvas.<method> failed"}
 * by default) and never reaches the decorated store. {@link #close()} is never failed.
 * {@link #asMap} is the interface's view over this decorator, so its calls go through the switch
 * too. Thread-safe if the decorated store is.
 *
 * @param <T> the type of the canvas objects
 */
public final class FaultInjectingCanvasStore<T> implements CanvasStore<T> {
  private final CanvasStore<T> delegate;
  private final CallCounts calls;

  /** Wraps {@code delegate}, controlled by {@code faults}. */
  public FaultInjectingCanvasStore(CanvasStore<T> delegate, Faults faults) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.calls = new CallCounts("canvas.", requireNonNull(faults, "faults"));
  }

  /** The decorated store, to read or plant state behind the switch's back. */
  public CanvasStore<T> delegate() {
    return delegate;
  }

  /** The calls made so far, per method. */
  public CallCounts calls() {
    return calls;
  }

  @Override
  public Optional<T> get(String projectId, String objectId) {
    calls.enter("get");
    return delegate.get(projectId, objectId);
  }

  @Override
  public void put(String projectId, String objectId, T object) {
    calls.enter("put");
    delegate.put(projectId, objectId, object);
  }

  @Override
  public void putAll(String projectId, Map<String, ? extends T> objects) {
    calls.enter("putAll");
    delegate.putAll(projectId, objects);
  }

  @Override
  public boolean remove(String projectId, String objectId) {
    calls.enter("remove");
    return delegate.remove(projectId, objectId);
  }

  @Override
  public Map<String, T> getAll(String projectId) {
    calls.enter("getAll");
    return delegate.getAll(projectId);
  }

  @Override
  public Set<String> ids(String projectId) {
    calls.enter("ids");
    return delegate.ids(projectId);
  }

  @Override
  public int count(String projectId) {
    calls.enter("count");
    return delegate.count(projectId);
  }

  @Override
  public void clear(String projectId) {
    calls.enter("clear");
    delegate.clear(projectId);
  }

  @Override
  public Set<String> activeProjects() {
    calls.enter("activeProjects");
    return delegate.activeProjects();
  }

  @Override
  public Optional<T> putIfAbsent(String projectId, String objectId, T object) {
    calls.enter("putIfAbsent");
    return delegate.putIfAbsent(projectId, objectId, object);
  }

  @Override
  public Optional<T> getAndPut(String projectId, String objectId, T object) {
    calls.enter("getAndPut");
    return delegate.getAndPut(projectId, objectId, object);
  }

  @Override
  public Optional<T> getAndRemove(String projectId, String objectId) {
    calls.enter("getAndRemove");
    return delegate.getAndRemove(projectId, objectId);
  }

  @Override
  public Optional<T> replace(String projectId, String objectId, T object) {
    calls.enter("replace");
    return delegate.replace(projectId, objectId, object);
  }

  @Override
  public boolean replace(String projectId, String objectId, T expected, T replacement) {
    calls.enter("replace");
    return delegate.replace(projectId, objectId, expected, replacement);
  }

  @Override
  public boolean remove(String projectId, String objectId, T expected) {
    calls.enter("remove");
    return delegate.remove(projectId, objectId, expected);
  }

  /** Subscribes to the decorated store; counted, never failed (events flow from the delegate). */
  @Override
  public Subscription subscribe(String projectId, CanvasListener<T> listener) {
    calls.count("subscribe");
    return delegate.subscribe(projectId, listener);
  }

  @Override
  public String instanceId() {
    return delegate.instanceId();
  }

  /** Closes the decorated store; never failed by the switch. */
  @Override
  public void close() {
    calls.count("close");
    delegate.close();
  }

  @Override
  public String toString() {
    return "FaultInjectingCanvasStore[" + delegate + "]";
  }
}
