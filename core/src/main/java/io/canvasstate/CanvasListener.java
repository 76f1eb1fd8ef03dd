package io.canvasstate;

/**
 * Receives the {@linkplain CanvasEvent changes} to one project's canvas, from {@link
 * CanvasStore#subscribe}.
 *
 * <p>A store calls its listeners one event at a time, never concurrently, outside its locks;
 * a listener must return quickly (hand slow work to another thread), because later events wait
 * for it. An exception a listener throws is caught and logged by the store and does not stop
 * delivery to it or to other listeners.
 *
 * @param <T> the type of the canvas objects
 */
@FunctionalInterface
public interface CanvasListener<T> {
  /** Handles one event; see {@link CanvasStore#subscribe} for what is guaranteed. */
  void onEvent(CanvasEvent<T> event);
}
