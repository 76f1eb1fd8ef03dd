package io.canvasstate.persistence;

import java.util.Map;

/**
 * The durable store behind a canvas store: where each project's objects are kept when they are
 * not in Redis (or memory). Implement it to plug in a database; {@link JsonFileCanvasRepository}
 * (one file per project) is the embedded default, and {@code canvasstate-jdbc} holds one for
 * PostgreSQL.
 *
 * <p>The library calls it from two places: an {@link AutoSaveWorker} calls {@link #save} with
 * the objects that changed and were deleted, and a store calls {@link #load} when it is asked
 * for a project it does not hold.
 *
 * <h2>The contract</h2>
 * <ul>
 *   <li><b>At least once.</b> The same changes may be saved more than once (a worker that
 *       crashed after saving, before it could record that it had, is followed by another one
 *       that saves them again). Saving {@code changes} twice must leave the repository as saving
 *       them once; deleting an object that is not there is not an error.
 *   <li><b>Fences only grow.</b> Each save carries a {@linkplain ProjectChanges#fence() fence},
 *       larger for every claim of the project. A save must be applied only if its fence is at
 *       least the largest fence applied to that project so far, atomically with that check, and
 *       {@link #save} then returns {@code true}; otherwise it must change nothing and return
 *       {@code false}. A save that was delayed past its lease (a paused process) can then never
 *       overwrite a newer one. A repository that cannot check fences still works, without that
 *       protection.
 *   <li><b>All or nothing.</b> A save is applied as a whole or not at all, where the database
 *       allows it (a transaction, a single file replaced atomically, a conditional batch); a
 *       save that fails half way must be safe to repeat, which the first rule gives.
 *   <li><b>Failures throw.</b> A save or load that fails throws an unchecked exception; the
 *       worker keeps the changes and tries again later, the store's caller sees the exception.
 * </ul>
 *
 * <p>Implementations must be thread-safe: loads run on callers' threads while a worker saves.
 * The library never saves one project from two threads of one worker at once, but instances
 * save different projects concurrently.
 *
 * @param <T> the type of the canvas objects
 */
public interface CanvasRepository<T> extends AutoCloseable {

  /**
   * Returns every object of a project.
   *
   * @return the objects by id, empty if the repository has none for this project
   * @throws RuntimeException if the repository cannot be read
   */
  Map<String, T> load(String projectId);

  /**
   * Applies a project's changes: writes {@link ProjectChanges#upserts()}, deletes
   * {@link ProjectChanges#deletes()}, if the fence allows it (see the class comment).
   *
   * @return {@code true} if the changes were applied (or had been before), {@code false} if a
   *     save with a larger fence was applied to this project before and nothing was written
   * @throws RuntimeException if the repository cannot be written; the changes may then have been
   *     applied or not, and will be saved again
   */
  boolean save(ProjectChanges<T> changes);

  /** Releases what the repository holds; by default nothing. */
  @Override
  default void close() {}
}
