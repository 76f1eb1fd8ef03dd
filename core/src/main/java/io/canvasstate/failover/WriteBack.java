package io.canvasstate.failover;

import java.time.Instant;
import java.util.Optional;

/** What writing one journaled change back came to, and the conflict event it may raise. */
final class WriteBack {
  private WriteBack() {}

  /** The outcome of writing one change back. */
  enum Result {
    /** The primary now holds the change (it was applied, or was already there). */
    APPLIED,
    /** The primary held a change made elsewhere, which was kept; a conflict was reported. */
    CONFLICT,
    /** A clear marker was resolved (its deletes are journaled on their own). */
    CLEARED,
    /** A presence expired before it could be written back. */
    EXPIRED
  }

  /** The event for change {@code c} losing to {@code storeValue} in the primary. */
  static ConflictEvent conflict(Journal.Change c, Optional<byte[]> storeValue, Instant now) {
    ConflictEvent.Reason reason = storeValue.isPresent()
        ? ConflictEvent.Reason.WRITTEN_ELSEWHERE
        : ConflictEvent.Reason.DELETED_ELSEWHERE;
    return new ConflictEvent(c.key(), reason, Journal.text(c.value()), Journal.text(storeValue),
        now);
  }
}
