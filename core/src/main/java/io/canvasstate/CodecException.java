package io.canvasstate;

import org.jspecify.annotations.Nullable;

/**
 * A value could not be encoded, or a stored value could not be decoded, by the store's
 * {@link Codec}. The message names the key (and field) that held the value.
 *
 * <p>A decode failure never changes what is stored: the bad value stays where it is so that
 * another client, or a fixed codec, can still read it.
 */
public class CodecException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message} (naming what failed, never a password) and its cause. */
  public CodecException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
