package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * A worker could not save some of a project's changes. They stay unsaved (and keep the project
 * from expiring) and are tried again after {@code retryIn}; nothing is dropped. Meanwhile the
 * workers save the other projects: a project that keeps failing waits twice as long after each
 * failure in a row (up to {@link PersistenceConfig#maxRetryDelay()}), and never blocks others.
 *
 * @param projectId the project
 * @param reason why
 * @param changes how many changes were not saved
 * @param error what went wrong: the exception's class and message (repositories and stores put
 *     no secret in them)
 * @param at when, by the persistence clock
 * @param retryIn how long until the project is due again: zero for {@link Reason#SUPERSEDED}
 *     (not the project's fault), and for {@link Reason#UNDECODABLE_VALUE} reported with a save of
 *     the project's other changes (the project then backs off once they are saved)
 */
public record SaveFailedEvent(
    String projectId, Reason reason, int changes, String error, Instant at, Duration retryIn) {
  /** Why changes were not saved. */
  public enum Reason {
    /** The repository threw; the whole save is tried again. */
    REPOSITORY_FAILED,
    /**
     * A stored value could not be decoded by the codec, so it cannot be handed to the
     * repository; it stays unsaved until it is overwritten or removed (the other changes of the
     * project are saved).
     */
    UNDECODABLE_VALUE,
    /**
     * The repository had applied a save with a larger fence (this worker's claim had expired and
     * another instance took the project over); nothing was written, the newer claim saves.
     */
    SUPERSEDED,
    /**
     * The store failed on the project's own keys (a key of the wrong type, written by another
     * client); its changes stay unsaved until the key is fixed. {@code changes} is 0: they could
     * not be counted.
     */
    STORE_FAILED
  }

  /** Checks the components. */
  public SaveFailedEvent {
    requireNonNull(projectId, "projectId");
    requireNonNull(reason, "reason");
    requireNonNull(error, "error");
    requireNonNull(at, "at");
    requireNonNull(retryIn, "retryIn");
  }
}
