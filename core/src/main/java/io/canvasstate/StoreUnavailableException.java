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

  public StoreUnavailableException(String message) {
    super(message);
  }

  public StoreUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
