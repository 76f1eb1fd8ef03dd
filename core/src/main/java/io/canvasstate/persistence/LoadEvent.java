package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * A project that the store did not hold was loaded from the repository.
 *
 * @param projectId the project
 * @param objects how many objects the repository had (0: the project is new)
 * @param took how long the repository took
 * @param at when it finished, by the persistence clock
 */
public record LoadEvent(String projectId, int objects, Duration took, Instant at) {
  /** Checks the components. */
  public LoadEvent {
    requireNonNull(projectId, "projectId");
    requireNonNull(took, "took");
    requireNonNull(at, "at");
  }
}
