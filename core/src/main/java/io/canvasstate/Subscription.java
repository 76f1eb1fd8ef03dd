package io.canvasstate;

/**
 * A listener's registration with a store; closing it stops the events. Thread-safe.
 */
public interface Subscription extends AutoCloseable {
  /**
   * Stops delivery to the listener. Idempotent. Once it returns no new event is handed to the
   * listener, except one that another thread was already delivering.
   */
  @Override
  void close();

  /** Whether the subscription has not been closed (by its owner or by closing the store). */
  boolean isActive();
}
