package io.canvasstate.persistence;

/**
 * Hears what persistence does: saves, failed saves, and loads of cold projects. Every method has
 * an empty default.
 *
 * <p>Listeners are called on the thread that did the work (a worker's thread for saves, a
 * caller's thread for loads), outside any lock, and should return quickly. An exception a
 * listener throws is caught and logged; it never stops a save or reaches a caller.
 *
 * <p>Implementations must be thread-safe: events come from several threads at once.
 */
public interface PersistenceListener {
  /** A worker saved a project's changes to the repository. */
  default void onSaved(SaveEvent event) {}

  /** A worker could not save a project's changes; they stay unsaved and are tried again. */
  default void onSaveFailed(SaveFailedEvent event) {}

  /**
   * The store lost unsaved writes (their values are gone from it): they are counted in
   * {@link PersistenceStats#lostChanges()}, never saved as deletes, and the project reads
   * through from the repository again.
   */
  default void onLost(LossEvent event) {}

  /** A cold project was loaded from the repository into the store. */
  default void onLoaded(LoadEvent event) {}
}
