package io.canvasstate;

/**
 * Receives the {@linkplain RoomEvent changes} in one room, from {@link
 * RoomPresenceStore#subscribe}.
 *
 * <p>A store calls its listeners one event at a time, never concurrently, outside its locks; a
 * listener must return quickly. An exception a listener throws is caught and logged by the store
 * and does not stop delivery.
 *
 * @param <P> the type of a connection's value
 */
@FunctionalInterface
public interface RoomListener<P> {
  /** Handles one event; see {@link RoomPresenceStore#subscribe} for what is guaranteed. */
  void onEvent(RoomEvent<P> event);
}
