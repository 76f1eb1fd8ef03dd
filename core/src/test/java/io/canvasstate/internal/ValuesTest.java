package io.canvasstate.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.JacksonCodec;
import io.canvasstate.contract.TestShape;
import org.junit.jupiter.api.Test;

class ValuesTest {
  private final JacksonCodec<TestShape> shapes = JacksonCodec.of(TestShape.class);

  @Test
  void encode_withinLimit_returnsTheEncoding() {
    assertThat(Values.encode(Codec.string(), "o", "abcd", 4)).isEqualTo("abcd".getBytes(UTF_8));
  }

  @Test
  void encode_overLimit_throwsIllegalArgumentNamingObjectAndSizes() {
    assertThatThrownBy(() -> Values.encode(Codec.string(), "o1", "abcde", 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value of \"o1\" is 5 bytes encoded, over the limit of 4 bytes");
  }

  @Test
  void encode_codecThrowsAnything_throwsCodecExceptionNamingTheObject() {
    Codec<String> broken = new Codec<>() {
      @Override
      public byte[] encode(String value) {
        throw new IllegalStateException("boom");
      }

      @Override
      public String decode(byte[] bytes) {
        throw new CodecException("bad bytes", null);
      }
    };

    assertThatThrownBy(() -> Values.encode(broken, "o1", "v", 100))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("\"o1\"")
        .hasMessageContaining("boom");
    assertThatThrownBy(() -> Values.decode(broken, "canvas:{p}:objects", "o1", new byte[0]))
        .isInstanceOf(CodecException.class)
        .hasMessage("cannot decode the value of field \"o1\" in key \"canvas:{p}:objects\": "
            + "bad bytes");
  }

  @Test
  void sameValue_equalBytesOrSameValueWithOtherSpacing_isTrue() {
    byte[] expected = shapes.encode(new TestShape("a", 1, 2));

    assertThat(Values.sameValue(shapes, expected.clone(), expected)).isTrue();
    assertThat(Values.sameValue(shapes,
        "{ \"y\": 2, \"x\": 1, \"id\": \"a\" }".getBytes(UTF_8), expected)).isTrue();
  }

  @Test
  void sameValue_otherValueOrUndecodable_isFalse() {
    byte[] expected = shapes.encode(new TestShape("a", 1, 2));

    assertThat(Values.sameValue(shapes, shapes.encode(new TestShape("a", 1, 3)), expected))
        .isFalse();
    assertThat(Values.sameValue(shapes, "{".getBytes(UTF_8), expected)).isFalse();
    assertThat(Values.sameValue(Codec.string(), "{ }".getBytes(UTF_8), "{}".getBytes(UTF_8)))
        .isFalse();
  }

  @Test
  void id_invalid_throwsLikeKeySchema() {
    assertThat(Values.id("objectId", "ok")).isEqualTo("ok");
    assertThatThrownBy(() -> Values.id("objectId", "a:b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"a:b\"");
  }

  @Test
  void decodeFailures_recordedTwice_countsBoth() {
    DecodeFailures failures = new DecodeFailures();
    CodecException e = new CodecException("bad", null);

    failures.record("k", "f", e);
    failures.record("k", "f", e);

    assertThat(failures.count()).isEqualTo(2);
  }
}
