package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * An outage change that will not be written back to the primary, and why. Every such change is
 * counted ({@link FailoverStats#dropped()}, or {@link FailoverStats#expired()} for an expired
 * presence) and reported here; none is lost silently.
 *
 * @param key what was changed
 * @param reason why it is not written back
 * @param value the value written during the outage (UTF-8 text of its encoding), or empty if it
 *     was a delete
 * @param at when it was dropped, by the store's clock
 */
public record DroppedEvent(ChangeKey key, Reason reason, Optional<String> value, Instant at) {
  /** Why an outage change is not written back. */
  public enum Reason {
    /**
     * The outage journal was full ({@link FailoverConfig#outageBufferLimit()}) when this object
     * or user was first changed: the change was served from memory but not journaled.
     */
    BUFFER_FULL,
    /**
     * The primary refused it with an error other than unavailability (a key of the wrong type,
     * say); retrying would not help.
     */
    REJECTED_BY_STORE,
    /** A presence that expired before it could be written back; dropping it is the intent. */
    EXPIRED,
    /** The store was closed before the primary came back. */
    CLOSED
  }

  /** Checks the components. */
  public DroppedEvent {
    requireNonNull(key, "key");
    requireNonNull(reason, "reason");
    requireNonNull(value, "value");
    requireNonNull(at, "at");
  }
}
