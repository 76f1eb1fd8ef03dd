package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * An outage change that met, in the primary, something else than this instance had last seen
 * there: another instance changed it during the outage. As a rule the value in the primary was
 * kept and the outage change is handed over here, so that nothing is lost silently; the one
 * exception is a blind delete ({@link Reason#DELETED_UNSEEN_VALUE}), which was applied, and
 * the value it removed is handed over instead.
 *
 * <p>Values are the stored encodings as UTF-8 text (JSON with the library's codecs); decode
 * them with the store's {@link io.canvasstate.Codec} if needed.
 *
 * @param key what was changed
 * @param reason what the primary held instead
 * @param outageValue the value written during the outage, or empty if it was a delete
 * @param storeValue the value the primary holds and kept, or empty if it holds none; for
 *     {@link Reason#DELETED_UNSEEN_VALUE}, the value the blind delete removed
 * @param at when the conflict was found, by the store's clock
 */
public record ConflictEvent(
    ChangeKey key,
    Reason reason,
    Optional<String> outageValue,
    Optional<String> storeValue,
    Instant at) {
  /** What the primary held instead of what this instance had last seen. */
  public enum Reason {
    /** Another value: someone wrote it during the outage (or after this instance last saw it). */
    WRITTEN_ELSEWHERE,
    /** Nothing: someone deleted it during the outage, or it expired there. */
    DELETED_ELSEWHERE,
    /**
     * A blind delete removed a value this instance had never seen: the outage delete was of an
     * object this instance knew nothing about (never read, written or heard of in a change
     * event), so there was no base to compare with, and the delete was applied. The removed
     * value is {@code storeValue}; the primary now holds nothing. A listener that finds the
     * value newer than the delete can put it back.
     */
    DELETED_UNSEEN_VALUE
  }

  /** Checks the components. */
  public ConflictEvent {
    requireNonNull(key, "key");
    requireNonNull(reason, "reason");
    requireNonNull(outageValue, "outageValue");
    requireNonNull(storeValue, "storeValue");
    requireNonNull(at, "at");
  }
}
