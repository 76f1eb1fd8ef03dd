package io.canvasstate;

import org.jspecify.annotations.Nullable;

/**
 * The root of the unchecked exceptions a store throws for anything but bad arguments.
 *
 * <p>Messages name the operation and the key involved and never contain a secret. The
 * client library's own exception, when there is one, is kept as the cause.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}, naming what failed and never a password. */
  public StoreException(String message) {
    super(message);
  }

  /** An exception with {@code message} (naming what failed, never a password) and its cause. */
  public StoreException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
