package io.canvasstate.redis.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.contract.TestShape;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.LogCapture;
import io.canvasstate.redis.testing.RedisTlsExtension;
import io.canvasstate.redis.testing.TlsCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CanvasState over TLS to servers whose certificates the test made: a CA file or a trust store,
 * mutual TLS with PEM files or a key store, and the failures a misconfiguration must produce at
 * startup, naming the host.
 */
@Timeout(120)
class RedisTlsDeploymentTest {
  @RegisterExtension
  static final RedisTlsExtension TLS = new RedisTlsExtension();

  static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);
  /** Startup must fail fast, not hang: well under this, even on a loaded machine. */
  static final Duration NO_HANG = Duration.ofSeconds(20);

  private static TlsCertificates certs() {
    return TLS.certificates();
  }

  /** The environment of an application that connects to {@code port} over TLS. */
  private static Map<String, String> env(int port, String... more) {
    Map<String, String> env = new HashMap<>();
    env.put("REDIS_URL", RedisTlsExtension.url(port));
    env.put("CANVASSTATE_KEY_PREFIX", "tls:");
    env.put("CANVASSTATE_FALLBACK", "false");
    for (int i = 0; i + 1 < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  /** Writes and reads back through stores made from {@code env}. */
  private static void roundTrip(Map<String, String> env) {
    try (RedisStores stores = RedisStores.create(StoreConfig.from(env))) {
      CanvasStore<TestShape> canvas = stores.canvas(SHAPES);
      PresenceStore<TestShape> presence = stores.presence(SHAPES);
      canvas.put("p", "o", new TestShape("o", 1, 2));
      presence.put("u", new TestShape("u", 3, 4));

      assertThat(canvas.get("p", "o")).contains(new TestShape("o", 1, 2));
      assertThat(presence.getAll()).containsOnlyKeys("u");
      stores.ping();
    }
  }

  /** Creates stores from {@code env}, which must fail at once, and returns the failure. */
  private static StoreException startupFailure(Map<String, String> env) {
    long start = System.nanoTime();
    Throwable thrown = catchThrowable(() -> RedisStores.create(StoreConfig.from(env)).close());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).as("time to fail").isLessThan(NO_HANG);
    assertThat(thrown).isInstanceOf(StoreException.class)
        .isNotInstanceOf(StoreUnavailableException.class);
    return (StoreException) thrown;
  }

  @Test
  void create_caFile_connectsOverTls() {
    roundTrip(env(TLS.port(), "REDIS_TLS_CA_FILE", certs().caCert().toString()));
  }

  @Test
  void create_tlsFlagWithPlainUrl_connectsOverTls() {
    Map<String, String> env = env(TLS.port(), "REDIS_TLS", "true",
        "REDIS_TLS_CA_FILE", certs().caCert().toString());
    env.put("REDIS_URL", "redis://127.0.0.1:" + TLS.port());

    roundTrip(env);
  }

  @Test
  void create_trustStore_connectsOverTls() {
    roundTrip(env(TLS.port(), "REDIS_TLS_TRUSTSTORE", certs().trustStore().toString(),
        "REDIS_TLS_TRUSTSTORE_PASSWORD", certs().storePassword()));
  }

  @Test
  void create_wrongCa_failsAtStartupNamingTheHostAndTheSetting() {
    StoreException e = startupFailure(env(TLS.port(),
        "REDIS_TLS_CA_FILE", certs().otherCaCert().toString()));

    assertThat(e).hasMessageContaining("127.0.0.1:" + TLS.port())
        .hasMessageContaining("not signed by a CA this client trusts")
        .hasMessageContaining("REDIS_TLS_CA_FILE");
  }

  @Test
  void create_jvmTrustOnly_failsAtStartupNamingTheHost() {
    StoreException e = startupFailure(env(TLS.port(), "REDIS_TLS", "true"));

    assertThat(e).hasMessageContaining("127.0.0.1:" + TLS.port())
        .hasMessageContaining("REDIS_TLS_CA_FILE");
  }

  @Test
  void create_certificateForAnotherHost_failsAtStartupNamingTheHost() {
    StoreException e = startupFailure(env(TLS.otherHostPort(),
        "REDIS_TLS_CA_FILE", certs().caCert().toString()));

    assertThat(e).hasMessageContaining("127.0.0.1:" + TLS.otherHostPort())
        .hasMessageContaining("does not name the host \"127.0.0.1\"")
        .hasMessageContaining("REDIS_TLS_VERIFY_HOSTNAME=false");
  }

  @Test
  void create_hostnameVerificationOff_connectsAndWarnsLoudlyOnce() {
    String logged;
    try (LogCapture logs = LogCapture.start()) {
      roundTrip(env(TLS.otherHostPort(), "REDIS_TLS_CA_FILE", certs().caCert().toString(),
          "REDIS_TLS_VERIFY_HOSTNAME", "false"));
      logged = logs.text();
    }

    assertThat(logged).containsOnlyOnce("REDIS_TLS_VERIFY_HOSTNAME=false")
        .contains("WARN", "NOT checked", "man-in-the-middle");
  }

  @Test
  void create_hostnameVerificationOffButWrongCa_stillFails() {
    StoreException e = startupFailure(env(TLS.otherHostPort(),
        "REDIS_TLS_CA_FILE", certs().otherCaCert().toString(),
        "REDIS_TLS_VERIFY_HOSTNAME", "false"));

    assertThat(e).hasMessageContaining("127.0.0.1:" + TLS.otherHostPort())
        .hasMessageContaining("not signed by a CA this client trusts");
  }

  @Test
  void create_mutualTlsWithPemCertificate_connects() {
    roundTrip(env(TLS.mutualPort(), "REDIS_TLS_CA_FILE", certs().caCert().toString(),
        "REDIS_TLS_CERT_FILE", certs().clientCert().toString(),
        "REDIS_TLS_KEY_FILE", certs().clientKey().toString()));
  }

  @Test
  void create_mutualTlsWithPkcs1Key_connects() {
    roundTrip(env(TLS.mutualPort(), "REDIS_TLS_CA_FILE", certs().caCert().toString(),
        "REDIS_TLS_CERT_FILE", certs().clientCert().toString(),
        "REDIS_TLS_KEY_FILE", certs().clientKeyPkcs1().toString()));
  }

  @Test
  void create_mutualTlsWithKeyStore_connects() {
    roundTrip(env(TLS.mutualPort(), "REDIS_TLS_TRUSTSTORE", certs().trustStore().toString(),
        "REDIS_TLS_TRUSTSTORE_PASSWORD", certs().storePassword(),
        "REDIS_TLS_KEYSTORE", certs().clientKeyStore().toString(),
        "REDIS_TLS_KEYSTORE_PASSWORD", certs().storePassword()));
  }

  @Test
  void create_noClientCertificateWhereRequired_failsAtStartupSayingSo() {
    StoreException e = startupFailure(env(TLS.mutualPort(),
        "REDIS_TLS_CA_FILE", certs().caCert().toString()));

    // The server's alert usually says why; if it closes first, the message still points there.
    assertThat(e).hasMessageContaining("127.0.0.1:" + TLS.mutualPort())
        .hasMessageContaining("require")
        .hasMessageContaining("client certificate")
        .hasMessageContaining("REDIS_TLS_CERT_FILE");
  }

  @Test
  void create_clientCertificateTheServerRejects_failsAtStartupSayingSo() {
    StoreException e = startupFailure(env(TLS.mutualPort(),
        "REDIS_TLS_CA_FILE", certs().caCert().toString(),
        "REDIS_TLS_CERT_FILE", certs().otherHostCert().toString(),
        "REDIS_TLS_KEY_FILE", certs().otherHostKey().toString()));

    assertThat(e).hasMessageContaining("127.0.0.1:" + TLS.mutualPort())
        .hasMessageContaining("REDIS_TLS_CERT_FILE")
        .satisfiesAnyOf(
            r -> assertThat(r).hasMessageContaining("rejected this client's certificate"),
            r -> assertThat(r).hasMessageContaining("closed the connection during the handshake"));
  }

  @Test
  void create_wrongKeyStorePassword_failsNamingTheSettingNotThePassword() {
    StoreException e = startupFailure(env(TLS.mutualPort(),
        "REDIS_TLS_CA_FILE", certs().caCert().toString(),
        "REDIS_TLS_KEYSTORE", certs().clientKeyStore().toString(),
        "REDIS_TLS_KEYSTORE_PASSWORD", "not-the-password-3c9d"));

    assertThat(e).hasMessageContaining("REDIS_TLS_KEYSTORE_PASSWORD")
        .hasMessageContaining(certs().clientKeyStore().toString())
        .hasMessageNotContaining("not-the-password-3c9d")
        .hasMessageNotContaining(certs().storePassword());
  }

  @Test
  void create_missingCaFile_failsNamingTheSettingAndFile() {
    Path missing = certs().dir().resolve("no-such-ca.pem");

    assertThatThrownBy(() -> RedisStores.create(StoreConfig.from(env(TLS.port(),
        "REDIS_TLS_CA_FILE", missing.toString()))))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("REDIS_TLS_CA_FILE does not exist")
        .hasMessageContaining(missing.toString());
  }

  @Test
  void create_keyFileThatIsNoKey_failsNamingTheSetting() {
    assertThatThrownBy(() -> RedisStores.create(StoreConfig.from(env(TLS.mutualPort(),
        "REDIS_TLS_CA_FILE", certs().caCert().toString(),
        "REDIS_TLS_CERT_FILE", certs().clientCert().toString(),
        "REDIS_TLS_KEY_FILE", certs().caCert().toString()))))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("REDIS_TLS_KEY_FILE holds no PEM private key");
  }

  @Test
  void create_tlsServerDown_startsAndOperationsFailAsUnavailable() {
    Map<String, String> env = env(1, "REDIS_TLS_CA_FILE", certs().caCert().toString());
    env.put("REDIS_URL", "rediss://127.0.0.1:1");

    try (RedisStores stores = RedisStores.create(StoreConfig.from(env))) {
      assertThatThrownBy(() -> stores.canvas(SHAPES).get("p", "o"))
          .isInstanceOf(StoreUnavailableException.class);
    }
  }

  @Test
  void create_tlsServerDownWithFallback_startsAndAnswersFromMemory() {
    Map<String, String> env = env(1, "REDIS_TLS_CA_FILE", certs().caCert().toString());
    env.put("REDIS_URL", "rediss://127.0.0.1:1");
    env.put("CANVASSTATE_FALLBACK", "true");

    try (RedisStores stores = RedisStores.create(StoreConfig.from(env))) {
      CanvasStore<TestShape> canvas = stores.canvas(SHAPES);
      assertThatCode(() -> canvas.put("p", "o", new TestShape("o", 1, 1)))
          .doesNotThrowAnyException();
      assertThat(canvas.get("p", "o")).contains(new TestShape("o", 1, 1));
    }
  }
}
