package io.canvasstate.failover;

/**
 * Hears what a {@link FailoverStore} does: state transitions, conflicts found while writing
 * back, and outage changes that will not be written back. Every method has an empty default.
 *
 * <p>Listeners are called synchronously on the thread that caused the event (a caller's thread
 * for a failover or a full journal, the probe thread for recovery, write-back conflicts and
 * drops), and never while holding a lock that calls to the stores wait on. They should return
 * quickly. An exception a listener throws is caught and logged; it never reaches the store's
 * caller and never stops other listeners or the write-back.
 *
 * <p>Implementations must be thread-safe: events can come from several threads at once.
 */
public interface FailoverListener {
  /** The store changed state. */
  default void onTransition(TransitionEvent event) {}

  /**
   * An outage change conflicted with a change made elsewhere; the primary's value was kept and
   * the outage change is in the event.
   */
  default void onConflict(ConflictEvent event) {}

  /** An outage change will not be written back. */
  default void onDropped(DroppedEvent event) {}
}
