package io.canvasstate.inmemory.failover;

import static java.util.Objects.requireNonNull;

import io.canvasstate.PresenceStore;
import io.canvasstate.StoreUnavailableException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A forwarding presence store that can apply a call and then lose its reply; closing it leaves
 * the delegate open, as closing a client leaves the server running. Thread-safe.
 */
final class FlakyPresenceStore implements PresenceStore<byte[]> {
  private final PresenceStore<byte[]> delegate;
  private volatile boolean loseNextReply;

  FlakyPresenceStore(PresenceStore<byte[]> delegate) {
    this.delegate = requireNonNull(delegate);
  }

  void loseNextReply() {
    loseNextReply = true;
  }

  private <R> R replied(R r) {
    if (loseNextReply) {
      loseNextReply = false;
      throw new StoreUnavailableException("flaky: reply lost");
    }
    return r;
  }

  @Override
  public void put(String userId, byte[] presence) {
    delegate.put(userId, presence);
    replied(userId);
  }

  @Override
  public Optional<byte[]> get(String userId) {
    return replied(delegate.get(userId));
  }

  @Override
  public boolean remove(String userId) {
    return replied(delegate.remove(userId));
  }

  @Override
  public Map<String, byte[]> getAll() {
    return replied(delegate.getAll());
  }

  @Override
  public Set<String> activeUsers() {
    return replied(delegate.activeUsers());
  }

  /** Does not close the delegate. */
  @Override
  public void close() {}
}
