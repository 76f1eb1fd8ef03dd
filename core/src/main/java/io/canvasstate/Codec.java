package io.canvasstate;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Turns values into the bytes a store keeps, and back.
 *
 * <p>Stores keep values as UTF-8 JSON so that any other client (redis-cli, a Node service, an
 * admin tool) can read and write them. {@link JacksonCodec} is the default; {@link #string()}
 * and {@link #bytes()} are the raw codecs that pass stored JSON through untouched, for a server
 * that forwards it straight to its own clients.
 *
 * <p>Two values are the same value to a store (for {@code replace}, {@code remove(k, v)} and
 * {@link java.util.Map#equals}) when their encodings are equal byte for byte.
 *
 * <p>Implementations must be thread-safe and must not keep references to the arrays they are
 * given or return: a store may hand them to another thread or keep them.
 *
 * @param <T> the type of the values
 */
public interface Codec<T> {

  /**
   * Encodes a value.
   *
   * @throws CodecException if the value cannot be encoded
   */
  byte[] encode(T value);

  /**
   * Decodes bytes a store held.
   *
   * @throws CodecException if the bytes are not a valid encoding
   */
  T decode(byte[] bytes);

  /** The raw codec for JSON as a {@code String}: UTF-8 in and out, no parsing, no validation. */
  static Codec<String> string() {
    return StringCodec.INSTANCE;
  }

  /** The raw codec for JSON as bytes: copied in and out, no parsing, no validation. */
  static Codec<byte[]> bytes() {
    return BytesCodec.INSTANCE;
  }
}

/** The raw {@code String} codec. */
enum StringCodec implements Codec<String> {
  INSTANCE;

  @Override
  public byte[] encode(String value) {
    return value.getBytes(UTF_8);
  }

  @Override
  public String decode(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  @Override
  public String toString() {
    return "Codec.string()";
  }
}

/** The raw {@code byte[]} codec; copies so that callers and stores never share an array. */
enum BytesCodec implements Codec<byte[]> {
  INSTANCE;

  @Override
  public byte[] encode(byte[] value) {
    return value.clone();
  }

  @Override
  public byte[] decode(byte[] bytes) {
    return bytes.clone();
  }

  @Override
  public String toString() {
    return "Codec.bytes()";
  }
}
