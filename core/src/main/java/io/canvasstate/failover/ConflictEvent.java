package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * An outage change that was not written back because the primary held something else than
 * this instance had last seen there: another instance changed it during the outage. The value
 * in the primary was kept; the outage change is handed over here so that nothing is lost
 * silently.
 *
 * <p>Values are the stored encodings as UTF-8 text (JSON with the library's codecs); decode
 * them with the store's {@link io.canvasstate.Codec} if needed.
 *
 * @param key what was changed
 * @param reason what the primary held instead
 * @param outageValue the value written during the outage, or empty if it was a delete
 * @param storeValue the value the primary holds and kept, or empty if it holds none
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
    DELETED_ELSEWHERE
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
