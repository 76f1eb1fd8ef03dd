package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * A worker saved a project's changes.
 *
 * @param projectId the project
 * @param fence the fence of the save
 * @param upserts how many objects it wrote
 * @param deletes how many objects it deleted
 * @param took how long the repository took
 * @param at when it finished, by the persistence clock
 */
public record SaveEvent(
    String projectId, long fence, int upserts, int deletes, Duration took, Instant at) {
  /** Checks the components. */
  public SaveEvent {
    requireNonNull(projectId, "projectId");
    requireNonNull(took, "took");
    requireNonNull(at, "at");
  }
}
