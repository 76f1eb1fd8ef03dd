package io.canvasstate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canvasstate.contract.TestShape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JacksonCodecTest {
  private final JacksonCodec<TestShape> shapes = JacksonCodec.of(TestShape.class);

  @Test
  void of_class_roundTripsAsCompactJson() {
    TestShape s = new TestShape("a", 1, 2);
    s.tags.add("red");

    byte[] bytes = shapes.encode(s);

    assertThat(new String(bytes, UTF_8))
        .isEqualTo("{\"id\":\"a\",\"kind\":\"rect\",\"x\":1,\"y\":2,\"tags\":[\"red\"]}");
    assertThat(shapes.decode(bytes)).isEqualTo(s);
    assertThat(shapes).hasToString("JacksonCodec[io.canvasstate.contract.TestShape]");
  }

  @Test
  void of_typeReference_roundTripsGenericTypes() {
    JacksonCodec<Map<String, List<Integer>>> codec = JacksonCodec.of(new TypeReference<>() {});
    Map<String, List<Integer>> value = Map.of("xs", List.of(1, 2, 3));

    assertThat(codec.decode(codec.encode(value))).isEqualTo(value);
    assertThat(codec.toString()).contains("java.util.Map<java.lang.String, java.util.List");
  }

  @Test
  void json_anyDocument_roundTripsAsTree() {
    JacksonCodec<JsonNode> codec = JacksonCodec.json();
    byte[] doc = "{\"a\":[1,{\"b\":null}],\"c\":\"\\u2603\"}".getBytes(UTF_8);

    JsonNode tree = codec.decode(doc);

    assertThat(tree.get("c").asText()).isEqualTo("\u2603");
    assertThat(codec.decode(codec.encode(tree))).isEqualTo(tree);
  }

  @Test
  void of_customMapper_usesItsConfiguration() {
    ObjectMapper lenient = new ObjectMapper()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    JacksonCodec<TestShape> codec = JacksonCodec.of(lenient, TestShape.class);

    TestShape s = codec.decode("{\"id\":\"a\",\"x\":1,\"extra\":true}".getBytes(UTF_8));

    assertThat(s.id).isEqualTo("a");
    assertThat(s.x).isEqualTo(1);
  }

  @Test
  void decode_malformedJson_throwsCodecExceptionNamingTypeAndProblem() {
    assertThatThrownBy(() -> shapes.decode("{\"id\": ".getBytes(UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessageStartingWith("cannot decode JSON as io.canvasstate.contract.TestShape: ")
        .hasMessageContaining("end-of-input")
        .hasCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
  }

  @Test
  void decode_wrongFieldType_throwsCodecExceptionNamingTheProblem() {
    assertThatThrownBy(() -> shapes.decode("{\"x\": \"left\"}".getBytes(UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("TestShape")
        .hasMessageContaining("int");
  }

  @Test
  void decode_emptyInputOrJsonNull_throwsCodecException() {
    assertThatThrownBy(() -> shapes.decode(new byte[0]))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("TestShape");
    assertThatThrownBy(() -> shapes.decode("null".getBytes(UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessage("JSON null is not a io.canvasstate.contract.TestShape");
  }

  @Test
  void decode_trailingGarbage_throwsCodecException() {
    assertThatThrownBy(() -> shapes.decode("{\"id\":\"a\"} {\"id\":\"b\"}".getBytes(UTF_8)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("TestShape");
  }

  @Test
  void encode_unserializableValue_throwsCodecExceptionNamingTheClass() {
    JacksonCodec<Object> codec = JacksonCodec.of(Object.class);

    assertThatThrownBy(() -> codec.encode(new Object()))
        .isInstanceOf(CodecException.class)
        .hasMessageStartingWith("cannot encode a java.lang.Object as JSON: ");
  }

  @Test
  void encodeAndDecode_null_throwNullPointer() {
    assertThatThrownBy(() -> shapes.encode(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> shapes.decode(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> JacksonCodec.of((Class<Object>) null))
        .isInstanceOf(NullPointerException.class);
  }
}
