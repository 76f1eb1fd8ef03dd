package io.canvasstate;

import org.jspecify.annotations.Nullable;

/**
 * The store could not be reached or did not answer in time (connection refused or reset, a
 * timeout, a cluster in the middle of a failover).
 *
 * <p>This is the transient failure: retrying later may succeed, and it is the only exception
 * the {@link io.canvasstate.failover.FailoverStore} reacts to by switching to its fallback.
 */
public class StoreUnavailableException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}, naming what failed and never a password. */
  public StoreUnavailableException(String message) {
    super(message);
  }

  /** An exception with {@code message} (naming what failed, never a password) and its cause. */
  public StoreUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
