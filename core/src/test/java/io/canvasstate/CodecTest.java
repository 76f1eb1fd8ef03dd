package io.canvasstate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CodecTest {

  @Test
  void string_roundTrip_isUtf8WithoutParsing() {
    Codec<String> codec = Codec.string();
    String json = "{ \"name\" : \"h\u00e9llo \ud83c\udfa8\" }";

    byte[] bytes = codec.encode(json);

    assertThat(bytes).isEqualTo(json.getBytes(UTF_8));
    assertThat(codec.decode(bytes)).isEqualTo(json);
    assertThat(codec.decode("not json".getBytes(UTF_8))).isEqualTo("not json");
    assertThat(codec).hasToString("Codec.string()");
  }

  @Test
  void string_encodeTwice_returnsDistinctArrays() {
    Codec<String> codec = Codec.string();

    byte[] first = codec.encode("{}");
    first[0] = 'X';

    assertThat(codec.encode("{}")).isEqualTo("{}".getBytes(UTF_8));
  }

  @Test
  void bytes_encodeAndDecode_copyTheArray() {
    Codec<byte[]> codec = Codec.bytes();
    byte[] value = {1, 2, 3};

    byte[] encoded = codec.encode(value);
    byte[] decoded = codec.decode(encoded);

    assertThat(encoded).isEqualTo(value).isNotSameAs(value);
    assertThat(decoded).isEqualTo(value).isNotSameAs(encoded);
    value[0] = 9;
    decoded[1] = 9;
    assertThat(encoded).containsExactly(1, 2, 3);
    assertThat(codec).hasToString("Codec.bytes()");
  }
}
