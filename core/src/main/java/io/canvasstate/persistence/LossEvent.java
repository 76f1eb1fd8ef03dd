package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * The store lost unsaved changes of a project: it had recorded writes of these objects but no
 * longer holds their values (an eviction under an {@code allkeys-*} policy, a {@code DEL} or
 * {@code FLUSHDB} by another client, a failover to a replica that missed them). They cannot be
 * saved; they are never saved as deletes. The objects the repository has were written back to
 * the store, so the project reads as the repository's copy again.
 *
 * @param projectId the project
 * @param objectIds the objects whose unsaved writes were lost (at most
 *     {@link PersistenceConfig#maxChangesPerSave()} per event)
 * @param restored how many of them the repository had and were written back to the store
 * @param at when, by the persistence clock
 */
public record LossEvent(String projectId, List<String> objectIds, int restored, Instant at) {
  /** Checks and copies the components. */
  public LossEvent {
    requireNonNull(projectId, "projectId");
    objectIds = List.copyOf(objectIds);
    requireNonNull(at, "at");
  }
}
