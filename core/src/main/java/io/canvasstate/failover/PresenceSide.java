package io.canvasstate.failover;

import io.canvasstate.PresenceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The presence half of a {@link FailoverStore}: the primary and fallback stores (on encoded
 * values), the local copy, seeding, and the write-back of one journaled change. Thread-safe.
 *
 * <p>{@link PresenceStore} has no conditional operations, so a presence is written back by
 * reading the primary's value and then writing: a heartbeat written elsewhere between the two
 * can be overwritten. Heartbeats repeat every few seconds, so the next one repairs it.
 */
final class PresenceSide {
  final PresenceStore<byte[]> primary;
  final PresenceStore<byte[]> fallback;
  final PresenceCopy copy;
  private final Duration ttl;

  PresenceSide(
      PresenceStore<byte[]> primary, PresenceStore<byte[]> fallback, int copyLimit, Duration ttl) {
    this.primary = primary;
    this.fallback = fallback;
    this.copy = new PresenceCopy(copyLimit);
    this.ttl = ttl;
  }

  /** Fills the empty fallback with the presences seen since {@code since}. */
  void seed(long since) {
    for (Map.Entry<String, byte[]> e : copy.seenSince(since).entrySet()) {
      fallback.put(e.getKey(), e.getValue());
    }
  }

  void clearFallback() {
    for (String userId : fallback.activeUsers()) {
      fallback.remove(userId);
    }
  }

  /**
   * Writes one change back: a presence that has expired since it was written is skipped; a
   * presence (or removal) is applied when the primary holds what this instance last saw, a
   * value it may have written itself, or nothing (presence expires; a missing one is no
   * conflict); otherwise another instance's heartbeat is kept and a conflict reported.
   *
   * @throws io.canvasstate.StoreUnavailableException if the primary fails
   */
  WriteBack.Result writeBack(Journal.Change c, Instant now, Consumer<ConflictEvent> conflicts) {
    String userId = c.key().id();
    Optional<byte[]> target = c.value();
    if (target.isPresent() && !now.isBefore(c.writtenAt().plus(ttl))) {
      return WriteBack.Result.EXPIRED;
    }
    Optional<byte[]> there = primary.get(userId);
    if (!Journal.same(there, target)) {
      if (there.isPresent() && !c.expects(there)) {
        copy.user(userId, there, copy.mark(), now.toEpochMilli());
        conflicts.accept(WriteBack.conflict(c, there, now));
        return WriteBack.Result.CONFLICT;
      }
      if (target.isPresent()) {
        primary.put(userId, target.get());
      } else {
        primary.remove(userId);
      }
    }
    copy.user(userId, target, copy.mark(), now.toEpochMilli());
    return WriteBack.Result.APPLIED;
  }
}
