package io.canvasstate;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;

/**
 * A {@link Codec} that stores values as JSON with Jackson.
 *
 * <p>Readers and writers are built once, when the codec is created; encoding and decoding
 * allocate nothing but the value and its bytes. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * Codec<Shape> shapes = JacksonCodec.of(Shape.class);
 * Codec<Map<String, Object>> maps = JacksonCodec.of(new TypeReference<>() {});
 * Codec<JsonNode> anyJson = JacksonCodec.json();
 * }</pre>
 *
 * @param <T> the type of the values
 */
public final class JacksonCodec<T> implements Codec<T> {
  /** Rejects trailing tokens (garbage after a value is undecodable); ignores unknown fields. */
  private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper().findAndRegisterModules()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // Other clients (a Node service, an admin tool) may add fields: reading must not fail on them.
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final String type;

  private JacksonCodec(ObjectReader reader, ObjectWriter writer, String type) {
    this.reader = reader;
    this.writer = writer;
    this.type = type;
  }

  /**
   * A codec for {@code type} using a default {@link ObjectMapper}: Jackson's defaults, the modules
   * found on the class path, trailing content after the value rejected, and unknown properties
   * ignored (another client may have added fields; they are dropped when this codec rewrites the
   * value).
   */
  public static <T> JacksonCodec<T> of(Class<T> type) {
    return of(DEFAULT_MAPPER, type);
  }

  /** A codec for {@code type} using {@code mapper}, whose configuration it copies now. */
  public static <T> JacksonCodec<T> of(ObjectMapper mapper, Class<T> type) {
    requireNonNull(mapper, "mapper");
    requireNonNull(type, "type");
    return new JacksonCodec<>(mapper.readerFor(type), mapper.writerFor(type), type.getName());
  }

  /** A codec for a generic type, such as {@code new TypeReference<Map<String, Object>>() {}}. */
  public static <T> JacksonCodec<T> of(TypeReference<T> type) {
    return of(DEFAULT_MAPPER, type);
  }

  /** A codec for a generic type using {@code mapper}, whose configuration it copies now. */
  public static <T> JacksonCodec<T> of(ObjectMapper mapper, TypeReference<T> type) {
    requireNonNull(mapper, "mapper");
    requireNonNull(type, "type");
    return new JacksonCodec<>(
        mapper.readerFor(type), mapper.writerFor(type), type.getType().getTypeName());
  }

  /** The schemaless codec: any JSON document as a {@link JsonNode} tree. */
  public static JacksonCodec<JsonNode> json() {
    return of(JsonNode.class);
  }

  @Override
  public byte[] encode(T value) {
    requireNonNull(value, "value");
    try {
      return writer.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new CodecException("cannot encode a " + value.getClass().getName() + " as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  @Override
  public T decode(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    try {
      T value = reader.readValue(bytes);
      if (value == null) {
        throw new CodecException("JSON null is not a " + type, null);
      }
      return value;
    } catch (IOException e) {
      String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
      throw new CodecException("cannot decode JSON as " + type + ": " + detail, e);
    }
  }

  @Override
  public String toString() {
    return "JacksonCodec[" + type + "]";
  }
}
