package io.canvasstate.failover;

/**
 * Where a {@link FailoverStore} sends calls. The legal moves are
 * {@code HEALTHY -> FAILED_OVER -> RECOVERING -> HEALTHY}, {@code RECOVERING -> FAILED_OVER} when
 * the primary fails again during the write-back, and any state to {@code CLOSED}.
 */
public enum FailoverState {
  /** The primary (Redis) answers every call; a local copy of what was read and written is kept. */
  HEALTHY,
  /**
   * The primary could not be reached: the fallback (memory) answers every call, changes are
   * journaled, and the primary is probed in the background.
   */
  FAILED_OVER,
  /**
   * The primary answers probes again and the journal is being written back to it; the fallback
   * still answers calls until the journal is empty.
   */
  RECOVERING,
  /** {@link FailoverStore#close()} was called; calls throw {@link IllegalStateException}. */
  CLOSED
}
