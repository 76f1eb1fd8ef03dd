package io.canvasstate.failover;

import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.internal.DecodeFailures;

/**
 * What the typed faces of a {@link FailoverStore} share: the failover state, the codec applied
 * once, the values left out of bulk reads, and being closed. Thread-safe.
 *
 * @param <V> the type of the values
 */
abstract class FailoverView<V> {
  final FailoverStore failover;
  final Codec<V> codec;
  final KeySchema keys;
  final DecodeFailures decodeFailures = new DecodeFailures();
  private volatile boolean closed;

  FailoverView(FailoverStore failover, Codec<V> codec, KeySchema keys) {
    this.failover = failover;
    this.codec = codec;
    this.keys = keys;
  }

  /** The failover state this store shares with the other stores of the same primary. */
  public FailoverStore failover() {
    return failover;
  }

  /** How many stored values {@code getAll} left out because they could not be decoded. */
  public long undecodableValues() {
    return decodeFailures.count();
  }

  /** Closes this store only; {@link FailoverStore#close()} releases the stores it wraps. */
  public void close() {
    closed = true;
  }

  /**
   * Throws if this store is closed.
   *
   * @throws IllegalStateException if it is
   */
  final void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this " + getClass().getSimpleName() + " is closed");
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + codec + ", " + failover + (closed ? ", closed" : "")
        + "]";
  }
}
