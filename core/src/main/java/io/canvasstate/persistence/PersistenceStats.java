package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of what one {@link Persistence} (one instance) has done, and of the unsaved changes
 * of the whole store. Counters only grow.
 *
 * @param savedObjects objects this instance's worker wrote or deleted in the repository
 * @param saves calls to {@link CanvasRepository#save} that applied
 * @param saveFailures projects whose save failed, a round each (see {@link SaveFailedEvent})
 * @param loads cold projects this instance loaded from the repository
 * @param loadWaits calls that waited for a load made by another caller instead of loading
 * @param lostChanges unsaved writes this instance's workers found lost by the store (their
 *     values gone: see {@link LossEvent}); never saved as deletes
 * @param retryWaiting projects this instance's workers are holding back after failed saves
 * @param backlog the unsaved changes of the whole store; empty if the store could not be asked
 */
public record PersistenceStats(
    long savedObjects,
    long saves,
    long saveFailures,
    long loads,
    long loadWaits,
    long lostChanges,
    int retryWaiting,
    Optional<ChangeLog.Backlog> backlog) {
  /** Checks the components. */
  public PersistenceStats {
    requireNonNull(backlog, "backlog");
  }

  /**
   * The lag: the age of the oldest change not saved yet, zero when everything is saved; empty
   * if the store could not be asked.
   */
  public Optional<Duration> lag() {
    return backlog.map(ChangeLog.Backlog::oldest);
  }
}
