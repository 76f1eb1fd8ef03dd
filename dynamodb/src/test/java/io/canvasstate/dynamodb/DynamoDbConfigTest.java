package io.canvasstate.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DynamoDbConfigTest {

  @Test
  void from_noSettings_givesTheDefaults() {
    DynamoDbConfig config = DynamoDbConfig.from(Map.of("UNRELATED", "x", "DYNAMODB_TABLE", " "));

    assertThat(config.table()).isEqualTo("canvas_objects");
    assertThat(config.region()).isEmpty();
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.createTable()).isFalse();
    assertThat(config.writeConcurrency()).isEqualTo(16);
    assertThat(config.maxAttempts()).isEqualTo(5);
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.tombstoneRetention()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void from_everySetting_isRead() {
    DynamoDbConfig config = DynamoDbConfig.from(Map.of(
        "DYNAMODB_TABLE", "app.canvas-1",
        "AWS_REGION", "eu-west-1",
        "DYNAMODB_ENDPOINT", "http://127.0.0.1:8000",
        "DYNAMODB_CREATE_TABLE", "yes",
        "DYNAMODB_WRITE_CONCURRENCY", "4",
        "DYNAMODB_MAX_ATTEMPTS", "2",
        "DYNAMODB_TIMEOUT", "750ms",
        "DYNAMODB_TOMBSTONE_RETENTION", "2d"));

    assertThat(config.table()).isEqualTo("app.canvas-1");
    assertThat(config.region()).contains("eu-west-1");
    assertThat(config.endpoint()).contains(URI.create("http://127.0.0.1:8000"));
    assertThat(config.createTable()).isTrue();
    assertThat(config.writeConcurrency()).isEqualTo(4);
    assertThat(config.maxAttempts()).isEqualTo(2);
    assertThat(config.timeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(config.tombstoneRetention()).isEqualTo(Duration.ofDays(2));
    assertThat(config.toBuilder().build().toString()).isEqualTo(config.toString());
  }

  @Test
  void from_invalidValues_throwNamingTheVariableAndValue() {
    Map<String, String> bad = Map.of(
        "DYNAMODB_TABLE", "a b",
        "AWS_REGION", "EU WEST",
        "DYNAMODB_ENDPOINT", "127.0.0.1:8000",
        "DYNAMODB_CREATE_TABLE", "maybe",
        "DYNAMODB_WRITE_CONCURRENCY", "0",
        "DYNAMODB_MAX_ATTEMPTS", "many",
        "DYNAMODB_TIMEOUT", "5",
        "DYNAMODB_TOMBSTONE_RETENTION", "PT10S");

    bad.forEach((name, value) -> assertThatThrownBy(() -> DynamoDbConfig.from(Map.of(name, value)))
        .as(name).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(name)
        .hasMessageContaining(value));
  }

  @Test
  void endpoint_withUserInfo_isRejectedWithoutEchoingIt() {
    assertThatThrownBy(() -> DynamoDbConfig.from(
        Map.of("DYNAMODB_ENDPOINT", "http://key:s3cret@127.0.0.1:8000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("DYNAMODB_ENDPOINT")
        .hasMessageNotContaining("s3cret");
  }
}
