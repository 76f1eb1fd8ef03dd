package io.canvasstate.redis;

import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * Builds Jedis' {@link SslOptions} from the TLS settings of a {@link StoreConfig}.
 *
 * <p>Every file is read and checked once, here, so that a missing file, a wrong store password
 * or a key that does not parse is reported at startup naming the setting, never later as a
 * connection failure. PEM material is turned into an in-memory key store that Jedis loads for
 * each new connection. Hostname verification is on unless the configuration turns it off, which
 * is logged at WARN each time options are built (once per {@code RedisStores}). Stateless and
 * thread-safe.
 */
final class JedisTls {
  private static final Logger LOG = LoggerFactory.getLogger(JedisTls.class);
  private static final Pattern PEM_KEY = Pattern.compile(
      "-----BEGIN ([A-Z ]*)PRIVATE KEY-----(.*?)-----END \\1PRIVATE KEY-----", Pattern.DOTALL);
  /** The in-memory stores' type: cheap to load, which Jedis does for every new connection. */
  private static final String MEMORY_STORE_TYPE = "JKS";

  private JedisTls() {}

  /**
   * The TLS options for {@code config}, or empty if it does not use TLS.
   *
   * @throws StoreException if a TLS file cannot be read or parsed, or a store password is wrong;
   *     the message names the setting and the file, never a password
   */
  static Optional<SslOptions> sslOptions(StoreConfig config) {
    if (!config.tls()) {
      return Optional.empty();
    }
    SslOptions.Builder options = SslOptions.builder()
        .sslVerifyMode(config.tlsVerifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA);
    if (!config.tlsVerifyHostname()) {
      LOG.warn("REDIS_TLS_VERIFY_HOSTNAME=false: the host names in Redis servers' TLS certificates"
          + " are NOT checked; any certificate that a trusted CA signed is accepted, for any host."
          + " This allows man-in-the-middle attacks; use it only for testing.");
    }
    char[] memoryPassword = randomPassword();
    config.tlsCaFile().ifPresent(ca -> {
      KeyStore trust = emptyStore();
      List<Certificate> certs = readCertificates("REDIS_TLS_CA_FILE", ca);
      for (int i = 0; i < certs.size(); i++) {
        setCertificate(trust, "ca-" + i, certs.get(i));
      }
      options.truststore(resource(trust, memoryPassword), memoryPassword)
          .trustStoreType(MEMORY_STORE_TYPE);
    });
    config.tlsTrustStore().ifPresent(path -> {
      char[] password = chars(config.tlsTrustStorePassword().orElse(null));
      KeyStore store = copyCertificates(path, loadStore("REDIS_TLS_TRUSTSTORE", path, password));
      options.truststore(resource(store, memoryPassword), memoryPassword)
          .trustStoreType(MEMORY_STORE_TYPE);
    });
    config.tlsCertFile().ifPresent(certFile -> {
      Path keyFile = config.tlsKeyFile().orElseThrow();
      List<Certificate> chain = readCertificates("REDIS_TLS_CERT_FILE", certFile);
      PrivateKey key = readPrivateKey(keyFile);
      KeyStore store = emptyStore();
      try {
        store.setKeyEntry("client", key, memoryPassword, chain.toArray(Certificate[]::new));
      } catch (GeneralSecurityException e) {
        throw new StoreException("REDIS_TLS_KEY_FILE " + keyFile
            + " does not match the certificate in REDIS_TLS_CERT_FILE " + certFile, e);
      }
      options.keystore(resource(store, memoryPassword), memoryPassword)
          .keyStoreType(MEMORY_STORE_TYPE);
    });
    config.tlsKeyStore().ifPresent(path -> {
      char[] password = chars(config.tlsKeyStorePassword().orElse(null));
      KeyStore loaded = loadStore("REDIS_TLS_KEYSTORE", path, password);
      KeyStore store = copyKeyEntries(path, loaded, password, memoryPassword);
      options.keystore(resource(store, memoryPassword), memoryPassword)
          .keyStoreType(MEMORY_STORE_TYPE);
    });
    SslOptions built = options.build();
    try {
      built.createSslContext();
    } catch (IOException | GeneralSecurityException e) {
      throw new StoreException("cannot build a TLS context from the REDIS_TLS_* settings: "
          + e.getMessage(), e);
    }
    return Optional.of(built);
  }

  private static List<Certificate> readCertificates(String setting, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<Certificate> certs = new ArrayList<>(
          CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new StoreException(setting + " holds no PEM certificate: " + file);
      }
      return certs;
    } catch (NoSuchFileException e) {
      throw new StoreException(setting + " does not exist: " + file, e);
    } catch (IOException | GeneralSecurityException e) {
      throw new StoreException(setting + " is not a readable PEM certificate file: " + file
          + " (" + e.getMessage() + ")", e);
    }
  }

  private static PrivateKey readPrivateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new StoreException("REDIS_TLS_KEY_FILE does not exist: " + file, e);
    } catch (IOException e) {
      throw new StoreException("REDIS_TLS_KEY_FILE cannot be read: " + file, e);
    }
    Matcher m = PEM_KEY.matcher(text);
    if (!m.find()) {
      throw new StoreException("REDIS_TLS_KEY_FILE holds no PEM private key: " + file);
    }
    String kind = m.group(1).trim();
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2).trim());
    } catch (IllegalArgumentException e) {
      throw new StoreException("REDIS_TLS_KEY_FILE is not valid PEM: " + file, e);
    }
    byte[] pkcs8 = switch (kind) {
      case "" -> der;
      case "RSA" -> pkcs1ToPkcs8(der);
      case "ENCRYPTED" -> throw new StoreException("REDIS_TLS_KEY_FILE is encrypted: " + file
          + "; decrypt it (openssl pkcs8 -topk8 -nocrypt) or use REDIS_TLS_KEYSTORE with"
          + " REDIS_TLS_KEYSTORE_PASSWORD");
      default -> throw new StoreException("REDIS_TLS_KEY_FILE holds a " + kind + " PRIVATE KEY,"
          + " which is not supported: " + file + "; convert it to PKCS#8 with"
          + " openssl pkcs8 -topk8 -nocrypt");
    };
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    throw new StoreException("REDIS_TLS_KEY_FILE holds no RSA, EC or EdDSA key: " + file);
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
  private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] rsaAlgorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    byte[] octets = der(0x04, pkcs1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(rsaAlgorithm);
    body.writeBytes(octets);
    return der(0x30, body.toByteArray());
  }

  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static KeyStore loadStore(String setting, Path path, char @Nullable [] password) {
    try {
      return KeyStore.getInstance(path.toFile(), password);
    } catch (IOException e) {
      if (!Files.exists(path)) {
        throw new StoreException(setting + " does not exist: " + path, e);
      }
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new StoreException(setting + " cannot be opened with " + setting
            + "_PASSWORD (wrong password?): " + path, e);
      }
      throw new StoreException(setting + " cannot be read: " + path + " (" + e.getMessage() + ")",
          e);
    } catch (GeneralSecurityException e) {
      throw new StoreException(setting + " is not a PKCS#12 or JKS key store: " + path, e);
    }
  }

  private static KeyStore copyCertificates(Path path, KeyStore from) {
    KeyStore to = emptyStore();
    try {
      for (String alias : Collections.list(from.aliases())) {
        Certificate cert = from.getCertificate(alias);
        if (cert != null) {
          to.setCertificateEntry(alias, cert);
        }
      }
      if (to.size() == 0) {
        throw new StoreException("REDIS_TLS_TRUSTSTORE holds no certificate: " + path);
      }
    } catch (GeneralSecurityException e) {
      throw new StoreException("REDIS_TLS_TRUSTSTORE cannot be read: " + path, e);
    }
    return to;
  }

  private static KeyStore copyKeyEntries(Path path, KeyStore from, char @Nullable [] password,
      char[] memoryPassword) {
    KeyStore to = emptyStore();
    int keys = 0;
    try {
      for (String alias : Collections.list(from.aliases())) {
        if (from.isKeyEntry(alias)) {
          to.setKeyEntry(alias, from.getKey(alias, password), memoryPassword,
              from.getCertificateChain(alias));
          keys++;
        }
      }
    } catch (UnrecoverableKeyException e) {
      throw new StoreException("the key in REDIS_TLS_KEYSTORE cannot be opened with"
          + " REDIS_TLS_KEYSTORE_PASSWORD (it must be the store's password too): " + path, e);
    } catch (GeneralSecurityException e) {
      throw new StoreException("REDIS_TLS_KEYSTORE cannot be read: " + path, e);
    }
    if (keys == 0) {
      throw new StoreException("REDIS_TLS_KEYSTORE holds no private key: " + path);
    }
    return to;
  }

  private static KeyStore emptyStore() {
    try {
      KeyStore store = KeyStore.getInstance(MEMORY_STORE_TYPE);
      store.load(null, null);
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no " + MEMORY_STORE_TYPE + " key store", e);
    }
  }

  private static void setCertificate(KeyStore store, String alias, Certificate cert) {
    try {
      store.setCertificateEntry(alias, cert);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot add a certificate to an in-memory key store", e);
    }
  }

  private static SslOptions.Resource resource(KeyStore store, char[] password) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      store.store(bytes, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot write an in-memory key store", e);
    }
    byte[] content = bytes.toByteArray();
    return () -> new ByteArrayInputStream(content);
  }

  private static char[] randomPassword() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return Base64.getEncoder().encodeToString(random).toCharArray();
  }

  private static char @Nullable [] chars(@Nullable String password) {
    return password == null ? null : password.toCharArray();
  }
}
