package io.canvasstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.canvasstate.StoreConfig.Deployment;
import io.canvasstate.StoreConfig.HostPort;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StoreConfigTest {
  private static final String SECRET = "s3cr3t-Pa55";

  private static StoreConfig from(String... namesAndValues) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return StoreConfig.from(m);
  }

  // ---- defaults and every setting ----

  @Test
  void from_emptyMap_givesDefaultsAndNoRedis() {
    StoreConfig c = StoreConfig.from(Map.of());

    assertThat(c.deployment()).isEqualTo(Deployment.NONE);
    assertThat(c.redisUrl()).isEmpty();
    assertThat(c.clusterEndpoints()).isEmpty();
    assertThat(c.sentinelMaster()).isEmpty();
    assertThat(c.sentinelNodes()).isEmpty();
    assertThat(c.username()).isEmpty();
    assertThat(c.password()).isEmpty();
    assertThat(c.tls()).isFalse();
    assertThat(c.connectTimeout()).isEqualTo(StoreConfig.DEFAULT_CONNECT_TIMEOUT);
    assertThat(c.timeout()).isEqualTo(StoreConfig.DEFAULT_TIMEOUT);
    assertThat(c.poolSize()).isEqualTo(StoreConfig.DEFAULT_POOL_SIZE);
    assertThat(c.maxAttempts()).isEqualTo(StoreConfig.DEFAULT_MAX_ATTEMPTS);
    assertThat(c.ttl()).isEqualTo(TtlPolicy.DEFAULT);
    assertThat(c.keySchema()).isEqualTo(KeySchema.DEFAULT);
    assertThat(c.fallbackEnabled()).isTrue();
    assertThat(c.maxValueBytes()).isEqualTo(StoreConfig.DEFAULT_MAX_VALUE_BYTES);
    assertThat(c.chunkSize()).isEqualTo(1_000);
    assertThat(c.chunkBytes()).isEqualTo(1 << 20);
    assertThat(c.maxCanvasObjects()).isEqualTo(1_000_000);
  }

  @Test
  void from_chunkAndCanvasLimits_areReadAndKeptByToBuilder() {
    StoreConfig c = from("CANVASSTATE_CHUNK_SIZE", "250", "CANVASSTATE_CHUNK_BYTES", "65536",
        "CANVASSTATE_MAX_CANVAS_OBJECTS", "5000");

    assertThat(c.chunkSize()).isEqualTo(250);
    assertThat(c.chunkBytes()).isEqualTo(65536);
    assertThat(c.maxCanvasObjects()).isEqualTo(5000);
    assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString())
        .contains("chunkSize=250", "chunkBytes=65536", "maxCanvasObjects=5000");
  }

  @Test
  void from_chunkSizeZero_failsNamingTheSetting() {
    assertThatThrownBy(() -> from("CANVASSTATE_CHUNK_SIZE", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CANVASSTATE_CHUNK_SIZE").hasMessageContaining("0");
    assertThatThrownBy(() -> StoreConfig.builder().maxCanvasObjects(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CANVASSTATE_MAX_CANVAS_OBJECTS");
  }

  @Test
  void from_everyStandaloneSetting_isRead() {
    StoreConfig c = from(
        "REDIS_URL", "redis://cache.internal:6380/2",
        "REDIS_USERNAME", "app",
        "REDIS_PASSWORD", SECRET,
        "REDIS_TLS", "yes",
        "REDIS_CONNECT_TIMEOUT", "500ms",
        "REDIS_TIMEOUT", "3s",
        "REDIS_POOL_SIZE", "32",
        "REDIS_MAX_ATTEMPTS", "5",
        "CANVASSTATE_CANVAS_TTL", "2h",
        "CANVASSTATE_PRESENCE_TTL", "90s",
        "CANVASSTATE_KEY_PREFIX", "myapp:",
        "CANVASSTATE_FALLBACK", "off",
        "CANVASSTATE_MAX_VALUE_BYTES", "65536",
        "UNRELATED", "ignored");

    assertThat(c.deployment()).isEqualTo(Deployment.STANDALONE);
    assertThat(c.redisUrl()).contains(URI.create("redis://cache.internal:6380/2"));
    assertThat(c.username()).contains("app");
    assertThat(c.password()).contains(SECRET);
    assertThat(c.tls()).isTrue();
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.poolSize()).isEqualTo(32);
    assertThat(c.maxAttempts()).isEqualTo(5);
    assertThat(c.ttl()).isEqualTo(new TtlPolicy(Duration.ofHours(2), Duration.ofSeconds(90)));
    assertThat(c.keySchema().prefix()).isEqualTo("myapp:");
    assertThat(c.fallbackEnabled()).isFalse();
    assertThat(c.maxValueBytes()).isEqualTo(65536);
  }

  @Test
  void from_clusterEndpoints_selectsClusterWithEveryNode() {
    StoreConfig c = from("REDIS_CLUSTER_ENDPOINTS", " 10.0.0.1:7000, 10.0.0.2:7001 ,[::1]:7002,");

    assertThat(c.deployment()).isEqualTo(Deployment.CLUSTER);
    assertThat(c.clusterEndpoints()).containsExactly(new HostPort("10.0.0.1", 7000),
        new HostPort("10.0.0.2", 7001), new HostPort("::1", 7002));
    assertThat(c.clusterEndpoints().get(2)).hasToString("[::1]:7002");
  }

  @Test
  void from_sentinelMasterAndNodes_selectsSentinel() {
    StoreConfig c = from("REDIS_SENTINEL_MASTER", "mymaster",
        "REDIS_SENTINEL_NODES", "s1:26379,s2:26379");

    assertThat(c.deployment()).isEqualTo(Deployment.SENTINEL);
    assertThat(c.sentinelMaster()).contains("mymaster");
    assertThat(c.sentinelNodes()).containsExactly(new HostPort("s1", 26379),
        new HostPort("s2", 26379));
  }

  @Test
  void from_blankValues_countAsUnset() {
    StoreConfig c = from("REDIS_URL", "  ", "REDIS_PASSWORD", "", "REDIS_POOL_SIZE", " ");

    assertThat(c.deployment()).isEqualTo(Deployment.NONE);
    assertThat(c.password()).isEmpty();
    assertThat(c.poolSize()).isEqualTo(StoreConfig.DEFAULT_POOL_SIZE);
  }

  @Test
  void from_redissUrl_turnsTlsOnAndDefaultsThePort() {
    StoreConfig c = from("REDIS_URL", "rediss://cache.example.com");

    assertThat(c.tls()).isTrue();
    assertThat(c.redisUrl()).contains(URI.create("rediss://cache.example.com:6379"));
  }

  @Test
  void fromEnv_systemProperty_isRead() {
    String name = "CANVASSTATE_KEY_PREFIX";
    String before = System.getProperty(name);
    System.setProperty(name, "from-property:");
    try {
      assertThat(StoreConfig.fromEnv().keySchema().prefix()).isEqualTo("from-property:");
    } finally {
      if (before == null) {
        System.clearProperty(name);
      } else {
        System.setProperty(name, before);
      }
    }
  }

  // ---- durations ----

  @ParameterizedTest
  @CsvSource({
      "500ms, PT0.5S",
      "2s, PT2S",
      "2 s, PT2S",
      "2S, PT2S",
      "5m, PT5M",
      "1h, PT1H",
      "1d, PT24H",
      "PT1M30S, PT1M30S",
      "pt2s, PT2S"})
  void from_durationWithUnit_isParsed(String text, String expected) {
    assertThat(from("REDIS_TIMEOUT", text).timeout()).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @CsvSource({
      "REDIS_TIMEOUT, 2000",
      "REDIS_TIMEOUT, 1.5s",
      "REDIS_TIMEOUT, -1s",
      "REDIS_TIMEOUT, 0s",
      "REDIS_TIMEOUT, 99999999999999999999s",
      "REDIS_CONNECT_TIMEOUT, soon",
      "REDIS_CONNECT_TIMEOUT, 9999999999999999d",
      "CANVASSTATE_CANVAS_TTL, 0ms",
      "CANVASSTATE_CANVAS_TTL, an hour",
      "CANVASSTATE_PRESENCE_TTL, 0s",
      "CANVASSTATE_PRESENCE_TTL, 5x",
      "REDIS_POOL_SIZE, 0",
      "REDIS_POOL_SIZE, many",
      "REDIS_MAX_ATTEMPTS, -1",
      "CANVASSTATE_MAX_VALUE_BYTES, 1MB",
      "CANVASSTATE_MAX_VALUE_BYTES, 0",
      "REDIS_TLS, maybe",
      "CANVASSTATE_FALLBACK, 2",
      "CANVASSTATE_KEY_PREFIX, {app}",
      "CANVASSTATE_KEY_PREFIX, my app",
      "REDIS_CLUSTER_ENDPOINTS, host-without-port",
      "REDIS_CLUSTER_ENDPOINTS, h:0",
      "REDIS_CLUSTER_ENDPOINTS, h:port",
      "REDIS_SENTINEL_NODES, :26379",
      "REDIS_URL, http://cache:6379",
      "REDIS_URL, cache:6379",
      "REDIS_URL, redis://",
      "REDIS_URL, redis://cache:99999"})
  void from_badValue_throwsIllegalArgumentNamingTheSetting(String name, String value) {
    Throwable thrown = catchThrowable(() -> from(name, value));

    assertThat(thrown).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
  }

  // ---- conflicts ----

  @Test
  void from_clusterAndSentinel_throwsIllegalState() {
    assertThatThrownBy(() -> from("REDIS_CLUSTER_ENDPOINTS", "a:1",
        "REDIS_SENTINEL_MASTER", "m", "REDIS_SENTINEL_NODES", "s:2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REDIS_CLUSTER_ENDPOINTS")
        .hasMessageContaining("REDIS_SENTINEL");
  }

  @Test
  void from_sentinelMasterWithoutNodesOrNodesWithoutMaster_throwsIllegalState() {
    assertThatThrownBy(() -> from("REDIS_SENTINEL_MASTER", "m"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REDIS_SENTINEL_NODES");
    assertThatThrownBy(() -> from("REDIS_SENTINEL_NODES", "s:26379"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REDIS_SENTINEL_MASTER");
  }

  // ---- credentials ----

  @Test
  void from_userAndPasswordInUrl_movesThemOutOfTheUrl() {
    StoreConfig c = from("REDIS_URL", "redis://alice:" + SECRET + "@cache:6379/0");

    assertThat(c.username()).contains("alice");
    assertThat(c.password()).contains(SECRET);
    assertThat(c.redisUrl()).contains(URI.create("redis://cache:6379/0"));
    assertThat(c.toString()).doesNotContain(SECRET).contains("password=****")
        .contains("redis://cache:6379/0");
  }

  @Test
  void from_passwordOnlyUrlForms_areUnderstoodAsRedisCliDoes() {
    StoreConfig bare = from("REDIS_URL", "redis://" + SECRET + "@cache");
    StoreConfig colon = from("REDIS_URL", "redis://:" + SECRET + "@cache");

    assertThat(bare.password()).contains(SECRET);
    assertThat(bare.username()).isEmpty();
    assertThat(colon.password()).contains(SECRET);
    assertThat(colon.username()).isEmpty();
    assertThat(bare.toString()).doesNotContain(SECRET);
    assertThat(colon.toString()).doesNotContain(SECRET);
  }

  @Test
  void from_percentEncodedPasswordInUrl_isDecoded() {
    StoreConfig c = from("REDIS_URL", "redis://bob:p%40ss%3Aw+rd@cache");

    assertThat(c.password()).contains("p@ss:w+rd");
    assertThat(c.toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
  }

  @Test
  void from_explicitCredentialsAndUrlCredentials_explicitWin() {
    StoreConfig c = from("REDIS_URL", "redis://alice:url-password@cache",
        "REDIS_USERNAME", "bob", "REDIS_PASSWORD", SECRET);

    assertThat(c.username()).contains("bob");
    assertThat(c.password()).contains(SECRET);
    assertThat(c.toString()).doesNotContain(SECRET).doesNotContain("url-password");
  }

  @Test
  void builder_explicitCredentialsBeforeUrl_urlDoesNotOverrideThem() {
    StoreConfig c = StoreConfig.builder().password(SECRET)
        .redisUrl("redis://alice:url-password@cache").build();

    assertThat(c.password()).contains(SECRET);
    assertThat(c.username()).contains("alice");
  }

  @Test
  void toString_passwordSetDirectly_isMasked() {
    StoreConfig c = StoreConfig.builder().redisUrl("redis://cache").username("app")
        .password(SECRET).build();

    assertThat(c.toString()).doesNotContain(SECRET).contains("password=****")
        .contains("username=app");
    assertThat(c.toBuilder().build().toString()).doesNotContain(SECRET);
  }

  @ParameterizedTest
  @CsvSource({
      "http://alice:" + SECRET + "@cache",
      "redis://alice:" + SECRET + "@",
      "redis://alice:" + SECRET + "@cache:99999",
      "redis://alice:" + SECRET + "@ca che",
      "redis://alice:" + SECRET + "%zz@cache",
      "redis://alice:" + SECRET + "@cache:port"})
  void from_badUrlWithCredentials_messageHidesThem(String url) {
    Throwable thrown = catchThrowable(() -> from("REDIS_URL", url));

    assertThat(thrown).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_URL");
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      assertThat(t.getMessage()).doesNotContain(SECRET);
      assertThat(t.toString()).doesNotContain(SECRET);
    }
  }

  @Test
  void from_uppercaseScheme_isAccepted() {
    assertThat(from("REDIS_URL", "REDISS://cache:6390").redisUrl())
        .contains(URI.create("rediss://cache:6390"));
  }

  // ---- builder ----

  @Test
  void toBuilder_changedSetting_keepsTheOthers() {
    StoreConfig c = from("REDIS_URL", "redis://cache", "REDIS_PASSWORD", SECRET,
        "CANVASSTATE_KEY_PREFIX", "app:");

    StoreConfig changed = c.toBuilder().poolSize(4).build();

    assertThat(changed.poolSize()).isEqualTo(4);
    assertThat(changed.password()).contains(SECRET);
    assertThat(changed.keySchema().prefix()).isEqualTo("app:");
    assertThat(changed.redisUrl()).isEqualTo(c.redisUrl());
  }

  @Test
  void builder_badArguments_throwNamingTheSetting() {
    StoreConfig.Builder b = StoreConfig.builder();

    assertThatThrownBy(() -> b.poolSize(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_POOL_SIZE");
    assertThatThrownBy(() -> b.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_TIMEOUT");
    assertThatThrownBy(() -> b.password("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_PASSWORD");
    assertThatThrownBy(() -> b.username(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_USERNAME");
    assertThatThrownBy(() -> b.clusterEndpoints(List.of(new HostPort("h", 1), null)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.ttl(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void hostPort_badValues_areRejected() {
    assertThatThrownBy(() -> new HostPort(" ", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HostPort("h", 65536))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
    assertThatThrownBy(() -> HostPort.parse("h:"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"h:\"");
    assertThat(HostPort.parse(" h:1 ")).isEqualTo(new HostPort("h", 1));
  }
}
