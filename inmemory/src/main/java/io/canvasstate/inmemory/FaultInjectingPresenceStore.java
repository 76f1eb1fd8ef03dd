package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.PresenceListener;
import io.canvasstate.PresenceStore;
import io.canvasstate.Subscription;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link PresenceStore} that forwards every call to another store, unless its {@link Faults}
 * switch makes the call fail or wait first; and counts the calls per method. The presence
 * counterpart of {@link FaultInjectingCanvasStore}, with the same rules: failed calls are
 * counted and never reach the decorated store, the default failure is a
 * {@link io.canvasstate.StoreUnavailableException} {@code "injected: presence.<method> failed"},
 * and {@link #close()} is never failed. Thread-safe if the decorated store is.
 *
 * @param <P> the type of a user's presence
 */
public final class FaultInjectingPresenceStore<P> implements PresenceStore<P> {
  private final PresenceStore<P> delegate;
  private final CallCounts calls;

  /** Wraps {@code delegate}, controlled by {@code faults}. */
  public FaultInjectingPresenceStore(PresenceStore<P> delegate, Faults faults) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.calls = new CallCounts("presence.", requireNonNull(faults, "faults"));
  }

  /** The decorated store, to read or plant state behind the switch's back. */
  public PresenceStore<P> delegate() {
    return delegate;
  }

  /** The calls made so far, per method. */
  public CallCounts calls() {
    return calls;
  }

  @Override
  public void put(String userId, P presence) {
    calls.enter("put");
    delegate.put(userId, presence);
  }

  @Override
  public Optional<P> get(String userId) {
    calls.enter("get");
    return delegate.get(userId);
  }

  @Override
  public boolean remove(String userId) {
    calls.enter("remove");
    return delegate.remove(userId);
  }

  @Override
  public Map<String, P> getAll() {
    calls.enter("getAll");
    return delegate.getAll();
  }

  @Override
  public Set<String> activeUsers() {
    calls.enter("activeUsers");
    return delegate.activeUsers();
  }

  /** Subscribes to the decorated store; counted, never failed (events flow from the delegate). */
  @Override
  public Subscription subscribe(PresenceListener<P> listener) {
    calls.count("subscribe");
    return delegate.subscribe(listener);
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
    return "FaultInjectingPresenceStore[" + delegate + "]";
  }
}
