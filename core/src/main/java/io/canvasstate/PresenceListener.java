package io.canvasstate;

/**
 * Receives the {@linkplain PresenceEvent changes} to presence, from {@link
 * PresenceStore#subscribe}.
 *
 * <p>A store calls its listeners one event at a time, never concurrently, outside its locks;
 * a listener must return quickly. An exception a listener throws is caught and logged by the
 * store and does not stop delivery.
 *
 * @param <P> the type of a user's presence
 */
@FunctionalInterface
public interface PresenceListener<P> {
  /** Handles one event; see {@link PresenceStore#subscribe} for what is guaranteed. */
  void onEvent(PresenceEvent<P> event);
}
