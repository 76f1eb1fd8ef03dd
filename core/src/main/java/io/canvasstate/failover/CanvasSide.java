package io.canvasstate.failover;

import io.canvasstate.CanvasStore;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The canvas half of a {@link FailoverStore}: the primary and fallback stores (on encoded
 * values), the local copy, seeding, and the write-back of one journaled change. Thread-safe.
 */
final class CanvasSide {
  /** How often one change is retried against writers that keep changing it, before giving up. */
  static final int MAX_CAS_ATTEMPTS = 8;

  final CanvasStore<byte[]> primary;
  final CanvasStore<byte[]> fallback;
  final CanvasCopy copy;
  private final Journal journal;

  CanvasSide(
      CanvasStore<byte[]> primary, CanvasStore<byte[]> fallback, int copyLimit, Journal journal) {
    this.primary = primary;
    this.fallback = fallback;
    this.copy = new CanvasCopy(copyLimit);
    this.journal = journal;
  }

  /** Fills the empty fallback with what the copy knows of projects touched since {@code since}. */
  void seed(long since) {
    for (Map.Entry<String, Map<String, byte[]>> e : copy.projectsTouchedSince(since).entrySet()) {
      fallback.putAll(e.getKey(), e.getValue());
    }
  }

  /** Empties the fallback, so that the next outage starts from the copy again. */
  void clearFallback() {
    for (String projectId : fallback.activeProjects()) {
      fallback.clear(projectId);
    }
  }

  /**
   * Writes one change back to the primary by compare-and-set from what this instance expects
   * there (its base, or a value it may have written itself), and reports any conflict.
   *
   * @throws io.canvasstate.StoreUnavailableException if the primary fails; the outcome is then
   *     unknown
   */
  WriteBack.Result writeBack(Journal.Change c, Instant now, Consumer<ConflictEvent> conflicts) {
    String projectId = c.key().projectId().orElseThrow();
    if (c.isClearMarker()) {
      return clearRest(projectId, c, now, conflicts);
    }
    String objectId = c.key().id();
    if (c.isBlindDelete()) {
      return blindDelete(projectId, objectId, c, now, conflicts);
    }
    Optional<byte[]> target = c.value();
    Optional<byte[]> expected = c.base();
    Optional<byte[]> witness = expected;
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      Optional<Optional<byte[]>> seen = compareAndSet(projectId, objectId, expected, target);
      if (seen.isEmpty()) {
        copy.object(projectId, objectId, target, copy.mark(), now.toEpochMilli());
        return WriteBack.Result.APPLIED;
      }
      witness = seen.get();
      if (Journal.same(witness, target)) {
        copy.object(projectId, objectId, target, copy.mark(), now.toEpochMilli());
        return WriteBack.Result.APPLIED;
      }
      if (!c.expects(witness)) {
        break;
      }
      expected = witness;
    }
    copy.object(projectId, objectId, witness, copy.mark(), now.toEpochMilli());
    conflicts.accept(WriteBack.conflict(c, witness, now));
    return WriteBack.Result.CONFLICT;
  }

  /**
   * The rule for a delete with no base (of an object this instance knew nothing about when it
   * deleted it): it deletes whatever the primary holds, and a value it deleted that is not one
   * this instance may have written itself is reported ({@link
   * ConflictEvent.Reason#DELETED_UNSEEN_VALUE}), so that a listener can put it back.
   */
  private WriteBack.Result blindDelete(String projectId, String objectId, Journal.Change c,
      Instant now, Consumer<ConflictEvent> conflicts) {
    Optional<byte[]> removed = primary.getAndRemove(projectId, objectId);
    copy.object(projectId, objectId, Optional.empty(), copy.mark(), now.toEpochMilli());
    if (removed.isPresent() && !c.expects(removed)) {
      conflicts.accept(new ConflictEvent(c.key(), ConflictEvent.Reason.DELETED_UNSEEN_VALUE,
          Optional.empty(), Journal.text(removed), now));
    }
    return WriteBack.Result.APPLIED;
  }

  /**
   * Sets the object from {@code expected} to {@code target} with the primary's conditional
   * operations.
   *
   * @return empty if it was set, else what the primary holds instead
   */
  private Optional<Optional<byte[]>> compareAndSet(
      String projectId, String objectId, Optional<byte[]> expected, Optional<byte[]> target) {
    if (target.isPresent()) {
      if (expected.isPresent()) {
        if (primary.replace(projectId, objectId, expected.get(), target.get())) {
          return Optional.empty();
        }
        return Optional.of(primary.get(projectId, objectId));
      }
      Optional<byte[]> there = primary.putIfAbsent(projectId, objectId, target.get());
      return there.isEmpty() ? Optional.empty() : Optional.of(there);
    }
    if (expected.isPresent()) {
      if (primary.remove(projectId, objectId, expected.get())) {
        return Optional.empty();
      }
      return Optional.of(primary.get(projectId, objectId));
    }
    Optional<byte[]> there = primary.get(projectId, objectId);
    return there.isEmpty() ? Optional.empty() : Optional.of(there);
  }

  /**
   * The project was cleared during the outage: the objects this instance knew were journaled as
   * deletes; any other object in the primary is one this instance never saw, which the rule
   * keeps, as a conflict.
   */
  private WriteBack.Result clearRest(
      String projectId, Journal.Change c, Instant now, Consumer<ConflictEvent> conflicts) {
    Set<String> ids = primary.ids(projectId);
    for (String id : ids) {
      ChangeKey key = ChangeKey.canvas(projectId, id);
      if (journal.contains(key)) {
        continue;
      }
      Optional<byte[]> there = primary.get(projectId, id);
      if (there.isPresent()) {
        copy.object(projectId, id, there, copy.mark(), now.toEpochMilli());
        conflicts.accept(new ConflictEvent(key, ConflictEvent.Reason.WRITTEN_ELSEWHERE,
            Optional.empty(), Journal.text(there), now));
      }
    }
    return WriteBack.Result.CLEARED;
  }
}
