package io.canvasstate.internal;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import java.util.Arrays;

/** Argument checks and codec calls that every store makes the same way. Not API. */
public final class Values {
  private Values() {}

  /**
   * Encodes a value and checks its size.
   *
   * @throws NullPointerException if the value is null
   * @throws IllegalArgumentException if the encoding is over {@code maxBytes}
   * @throws CodecException if the codec fails
   */
  public static <T> byte[] encode(Codec<T> codec, String objectId, T value, int maxBytes) {
    java.util.Objects.requireNonNull(value, "value");
    byte[] bytes;
    try {
      bytes = codec.encode(value);
    } catch (CodecException e) {
      throw new CodecException("cannot encode the value of \"" + objectId + "\": " + e.getMessage(),
          e.getCause() == null ? e : e.getCause());
    } catch (RuntimeException e) {
      throw new CodecException("cannot encode the value of \"" + objectId + "\": " + e, e);
    }
    if (bytes.length > maxBytes) {
      throw new IllegalArgumentException("value of \"" + objectId + "\" is " + bytes.length
          + " bytes encoded, over the limit of " + maxBytes + " bytes");
    }
    return bytes;
  }

  /**
   * Decodes a stored value, naming the key and field in the exception.
   *
   * @throws CodecException if the codec fails
   */
  public static <T> T decode(Codec<T> codec, String key, String field, byte[] bytes) {
    try {
      return codec.decode(bytes);
    } catch (RuntimeException e) {
      throw decodeFailure(key, field, e);
    }
  }

  /**
   * The exception {@link #decode} throws when {@code e} stopped the codec: for callers that build
   * the key's name only when a decode fails.
   */
  public static CodecException decodeFailure(String key, String field, RuntimeException e) {
    String detail = e instanceof CodecException ? e.getMessage() : e.toString();
    return new CodecException("cannot decode the value of field \"" + field + "\" in key \"" + key
        + "\": " + detail, e);
  }

  /** Checks an id; shorthand for {@link KeySchema#requireValidId}. */
  public static String id(String name, String id) {
    return KeySchema.requireValidId(name, id);
  }

  /** Checks the three ids of a room connection, naming the bad one. */
  public static void connectionIds(String roomId, String userId, String connectionId) {
    KeySchema.requireValidId("roomId", roomId);
    KeySchema.requireValidId("userId", userId);
    KeySchema.requireValidId("connectionId", connectionId);
  }

  /**
   * Whether {@code stored} holds the same value as {@code expected}, under the store's rule:
   * equal encodings, or a stored value that re-encodes to {@code expected} (written by another
   * client with other spacing or field order). A stored value that cannot be decoded never
   * matches.
   */
  public static <T> boolean sameValue(Codec<T> codec, byte[] stored, byte[] expected) {
    if (Arrays.equals(stored, expected)) {
      return true;
    }
    try {
      return Arrays.equals(codec.encode(codec.decode(stored)), expected);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
