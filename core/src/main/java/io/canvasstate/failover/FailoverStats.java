package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of a {@link FailoverStore}'s state and counters; counters only grow.
 *
 * @param state the current state
 * @param since when the store entered it, by the store's clock
 * @param timeInState how long it has been in it
 * @param failovers how many times it switched to the fallback (a start on the fallback counts)
 * @param writtenBack how many outage changes were written back to the primary
 * @param conflicts how many outage changes conflicted and were handed to listeners instead
 * @param dropped how many outage changes will not be written back because the journal was full,
 *     the primary rejected them or the store was closed during an outage
 * @param expired how many outage presences expired before they could be written back
 * @param pending how many changes the journal holds now, waiting to be written back
 */
public record FailoverStats(
    FailoverState state,
    Instant since,
    Duration timeInState,
    long failovers,
    long writtenBack,
    long conflicts,
    long dropped,
    long expired,
    int pending) {
  /** Checks the components. */
  public FailoverStats {
    requireNonNull(state, "state");
    requireNonNull(since, "since");
    requireNonNull(timeInState, "timeInState");
  }
}
