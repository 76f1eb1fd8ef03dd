package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A {@link FailoverStore} moved from one {@link FailoverState} to another.
 *
 * @param from the state left
 * @param to the state entered
 * @param reason why
 * @param at when, by the store's clock
 * @param cause the message of the exception that caused it, if one did (never a secret: store
 *     exceptions carry none)
 */
public record TransitionEvent(
    FailoverState from, FailoverState to, Reason reason, Instant at, Optional<String> cause) {
  /** Why a transition happened. */
  public enum Reason {
    /**
     * The primary could not be reached before it had ever answered (the application started
     * while it was down): the store starts on the fallback.
     */
    PRIMARY_UNAVAILABLE_AT_START,
    /** A call to the primary failed with {@link io.canvasstate.StoreUnavailableException}. */
    PRIMARY_UNAVAILABLE,
    /** Enough probes in a row reached the primary; the write-back starts. */
    PRIMARY_REACHABLE,
    /** The journal was written back; the primary answers calls again. */
    WRITE_BACK_COMPLETE,
    /** The primary failed again while the journal was being written back; nothing was lost. */
    PRIMARY_UNAVAILABLE_DURING_WRITE_BACK,
    /** {@link FailoverStore#close()} was called. */
    CLOSED
  }

  /** Checks the components. */
  public TransitionEvent {
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    requireNonNull(reason, "reason");
    requireNonNull(at, "at");
    requireNonNull(cause, "cause");
  }
}
