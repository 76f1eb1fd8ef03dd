package io.canvasstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deployment settings of {@link StoreConfig}: TLS, Sentinel credentials, retries. */
class StoreConfigDeploymentTest {

  @Test
  void from_tlsSettings_readsEveryOne() {
    StoreConfig config = StoreConfig.from(Map.of(
        "REDIS_URL", "rediss://cache.internal:6380",
        "REDIS_TLS_CA_FILE", "/etc/redis/ca.pem",
        "REDIS_TLS_CERT_FILE", "/etc/redis/client.pem",
        "REDIS_TLS_KEY_FILE", "/etc/redis/client.key",
        "REDIS_TLS_VERIFY_HOSTNAME", "false"));

    assertThat(config.tls()).isTrue();
    assertThat(config.tlsCaFile()).contains(Path.of("/etc/redis/ca.pem"));
    assertThat(config.tlsCertFile()).contains(Path.of("/etc/redis/client.pem"));
    assertThat(config.tlsKeyFile()).contains(Path.of("/etc/redis/client.key"));
    assertThat(config.tlsClientAuth()).isTrue();
    assertThat(config.tlsVerifyHostname()).isFalse();
  }

  @Test
  void from_storesWithPasswords_readsThemAndMasksThemInToString() {
    StoreConfig config = StoreConfig.from(Map.of(
        "REDIS_URL", "redis://cache.internal:6380",
        "REDIS_TLS", "true",
        "REDIS_TLS_TRUSTSTORE", "/etc/redis/trust.p12",
        "REDIS_TLS_TRUSTSTORE_PASSWORD", "trust-secret-1",
        "REDIS_TLS_KEYSTORE", "/etc/redis/client.p12",
        "REDIS_TLS_KEYSTORE_PASSWORD", "key-secret-2"));

    assertThat(config.tlsTrustStore()).contains(Path.of("/etc/redis/trust.p12"));
    assertThat(config.tlsTrustStorePassword()).contains("trust-secret-1");
    assertThat(config.tlsKeyStore()).contains(Path.of("/etc/redis/client.p12"));
    assertThat(config.tlsKeyStorePassword()).contains("key-secret-2");
    assertThat(config.toString())
        .contains("tlsTrustStore=/etc/redis/trust.p12", "tlsKeyStore=/etc/redis/client.p12",
            "tlsTrustStorePassword=****", "tlsKeyStorePassword=****")
        .doesNotContain("trust-secret-1", "key-secret-2");
  }

  @Test
  void from_sentinelCredentials_readsThemAndMasksThePassword() {
    StoreConfig config = StoreConfig.from(Map.of(
        "REDIS_SENTINEL_MASTER", "mymaster",
        "REDIS_SENTINEL_NODES", "s1:26379,s2:26379",
        "REDIS_SENTINEL_USERNAME", "watcher",
        "REDIS_SENTINEL_PASSWORD", "sentinel-secret-3",
        "REDIS_PASSWORD", "data-secret-4"));

    assertThat(config.sentinelUsername()).contains("watcher");
    assertThat(config.sentinelPassword()).contains("sentinel-secret-3");
    assertThat(config.toString())
        .contains("sentinelUsername=watcher", "sentinelPassword=****")
        .doesNotContain("sentinel-secret-3", "data-secret-4");
  }

  @Test
  void defaults_withoutSettings_verifyHostnameAndDocumentedRetries() {
    StoreConfig config = StoreConfig.from(Map.of());

    assertThat(config.tlsVerifyHostname()).isTrue();
    assertThat(config.tlsClientAuth()).isFalse();
    assertThat(config.tlsCaFile()).isEmpty();
    assertThat(config.maxAttempts()).isEqualTo(StoreConfig.DEFAULT_MAX_ATTEMPTS).isEqualTo(3);
    assertThat(config.maxRetryDuration()).isEqualTo(StoreConfig.DEFAULT_MAX_RETRY_DURATION)
        .isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void from_maxRetryDuration_parsesTheDuration() {
    StoreConfig config = StoreConfig.from(Map.of("REDIS_MAX_RETRY_DURATION", "1500ms"));

    assertThat(config.maxRetryDuration()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.toBuilder().build().maxRetryDuration()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void from_invalidVerifyHostname_namesTheVariable() {
    assertThatThrownBy(() -> StoreConfig.from(Map.of("REDIS_TLS_VERIFY_HOSTNAME", "maybe")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_TLS_VERIFY_HOSTNAME");
  }

  @Test
  void build_tlsFilesWithoutTls_failsNamingTheFix() {
    assertThatThrownBy(() -> StoreConfig.builder().redisUrl("redis://h:6379")
        .tlsCaFile(Path.of("ca.pem")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TLS is off")
        .hasMessageContaining("REDIS_TLS=true");
  }

  @Test
  void build_caFileAndTrustStore_failsAsConflicting() {
    assertThatThrownBy(() -> StoreConfig.builder().redisUrl("rediss://h:6379")
        .tlsCaFile(Path.of("ca.pem")).tlsTrustStore(Path.of("t.p12"), null).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REDIS_TLS_CA_FILE and REDIS_TLS_TRUSTSTORE");
  }

  @Test
  void build_pemClientCertAndKeyStore_failsAsConflicting() {
    assertThatThrownBy(() -> StoreConfig.builder().redisUrl("rediss://h:6379")
        .tlsClientCertificate(Path.of("c.pem"), Path.of("c.key"))
        .tlsKeyStore(Path.of("k.p12"), "pw").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REDIS_TLS_CERT_FILE and REDIS_TLS_KEYSTORE");
  }

  @Test
  void from_certFileWithoutKeyFile_failsNamingTheMissingVariable() {
    assertThatThrownBy(() -> StoreConfig.from(Map.of("REDIS_URL", "rediss://h:6379",
        "REDIS_TLS_CERT_FILE", "/c.pem")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REDIS_TLS_KEY_FILE");
    assertThatThrownBy(() -> StoreConfig.from(Map.of("REDIS_URL", "rediss://h:6379",
        "REDIS_TLS_KEY_FILE", "/c.key")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REDIS_TLS_CERT_FILE");
  }

  @Test
  void build_sentinelPasswordWithoutSentinel_fails() {
    assertThatThrownBy(() -> StoreConfig.builder().redisUrl("redis://h:6379")
        .sentinelPassword("pw").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("REDIS_SENTINEL_PASSWORD");
  }

  @Test
  void toBuilder_tlsSettings_keepsEveryOne() {
    StoreConfig config = StoreConfig.builder().redisUrl("rediss://h:6379")
        .tlsTrustStore(Path.of("t.p12"), "tp").tlsKeyStore(Path.of("k.p12"), "kp")
        .tlsVerifyHostname(false).build();

    StoreConfig copy = config.toBuilder().build();

    assertThat(copy.tlsTrustStore()).isEqualTo(config.tlsTrustStore());
    assertThat(copy.tlsTrustStorePassword()).contains("tp");
    assertThat(copy.tlsKeyStore()).isEqualTo(config.tlsKeyStore());
    assertThat(copy.tlsKeyStorePassword()).contains("kp");
    assertThat(copy.tlsVerifyHostname()).isFalse();
    assertThat(copy.toString()).isEqualTo(config.toString());
  }
}
