package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import io.canvasstate.KeySchema;
import java.util.Map;
import java.util.Set;

/**
 * The changes of one project that an {@link AutoSaveWorker} hands to
 * {@link CanvasRepository#save} in one call: objects to write and objects to delete.
 *
 * @param projectId the project
 * @param fence larger for every claim of the project (see {@link CanvasRepository}); the
 *     repository applies the changes only if it is at least the largest fence it applied
 * @param upserts objects to insert or replace, by id
 * @param deletes ids of objects to delete; none of them is in {@code upserts}
 * @param <T> the type of the canvas objects
 */
public record ProjectChanges<T>(
    String projectId, long fence, Map<String, T> upserts, Set<String> deletes) {

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if an id is invalid, the fence is negative, or an id is
   *     both upserted and deleted
   */
  public ProjectChanges {
    KeySchema.requireValidId("projectId", projectId);
    if (fence < 0) {
      throw new IllegalArgumentException("fence must not be negative: " + fence);
    }
    upserts = Map.copyOf(requireNonNull(upserts, "upserts"));
    deletes = Set.copyOf(requireNonNull(deletes, "deletes"));
    for (String id : upserts.keySet()) {
      KeySchema.requireValidId("objectId", id);
    }
    for (String id : deletes) {
      KeySchema.requireValidId("objectId", id);
      if (upserts.containsKey(id)) {
        throw new IllegalArgumentException(
            "object \"" + id + "\" is both upserted and deleted in project \"" + projectId + "\"");
      }
    }
  }

  /** How many objects the changes write or delete. */
  public int size() {
    return upserts.size() + deletes.size();
  }

  @Override
  public String toString() {
    return "ProjectChanges[" + projectId + ", fence=" + fence + ", " + upserts.size()
        + " upserts, " + deletes.size() + " deletes]";
  }
}
