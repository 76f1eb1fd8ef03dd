package io.canvasstate.redis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made with {@code openssl} and {@code keytool} in a directory: a
 * test CA, a server certificate for {@code 127.0.0.1}/{@code localhost} (also usable as a client
 * certificate, which cluster nodes and replicas present to each other), a server-only
 * certificate for another host, a client certificate, a second CA that signed none of them, and PKCS#12
 * stores of the CA (trust store) and the client (key store). Immutable once made.
 *
 * @param dir where the files are
 * @param storePassword the password of both PKCS#12 stores (random per run)
 */
public record TlsCertificates(Path dir, String storePassword) {
  private static final String CONFIG = """
      [req]
      distinguished_name = dn
      prompt = no
      [dn]
      CN = unused
      [ca]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      subjectKeyIdentifier = hash
      [server]
      basicConstraints = CA:FALSE
      keyUsage = critical,digitalSignature,keyEncipherment
      extendedKeyUsage = serverAuth,clientAuth
      subjectAltName = IP:127.0.0.1,DNS:localhost
      [other_host]
      basicConstraints = CA:FALSE
      keyUsage = critical,digitalSignature,keyEncipherment
      extendedKeyUsage = serverAuth
      subjectAltName = DNS:not-this-host.invalid
      [client]
      basicConstraints = CA:FALSE
      keyUsage = critical,digitalSignature,keyEncipherment
      extendedKeyUsage = clientAuth
      """;

  /**
   * Makes every file in {@code dir}.
   *
   * @throws IllegalStateException if openssl or keytool fails (with its output)
   */
  public static TlsCertificates generate(Path dir) {
    ServerProcess.requireBinaries("openssl", "keytool");
    TlsCertificates certs = new TlsCertificates(dir, UUID.randomUUID().toString());
    try {
      Files.writeString(dir.resolve("openssl.cnf"), CONFIG, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    certs.selfSignedCa("ca", "CanvasState Test CA");
    certs.selfSignedCa("other-ca", "Some Other CA");
    certs.signed("server", "localhost", "server", "ec");
    certs.signed("other-host", "not-this-host.invalid", "other_host", "ec");
    certs.signed("client", "canvasstate-client", "client", "rsa");
    certs.run("openssl", "pkey", "-in", "client.key", "-traditional", "-out", "client-rsa.key");
    certs.run("keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt",
        "-keystore", "truststore.p12", "-storetype", "PKCS12", "-storepass", certs.storePassword);
    certs.run("openssl", "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key",
        "-certfile", "ca.crt", "-name", "client", "-out", "client.p12",
        "-passout", "pass:" + certs.storePassword);
    return certs;
  }

  /** The test CA's certificate (PEM). */
  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  /** A CA certificate (PEM) that signed none of the others. */
  public Path otherCaCert() {
    return dir.resolve("other-ca.crt");
  }

  /** The server certificate (PEM) for {@code 127.0.0.1} and {@code localhost}. */
  public Path serverCert() {
    return dir.resolve("server.crt");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** A server certificate (PEM) from the test CA for {@code not-this-host.invalid} only. */
  public Path otherHostCert() {
    return dir.resolve("other-host.crt");
  }

  public Path otherHostKey() {
    return dir.resolve("other-host.key");
  }

  /** The client certificate (PEM) from the test CA. */
  public Path clientCert() {
    return dir.resolve("client.crt");
  }

  /** The client's RSA key, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  public Path clientKey() {
    return dir.resolve("client.key");
  }

  /** The same key, PKCS#1 PEM ({@code BEGIN RSA PRIVATE KEY}). */
  public Path clientKeyPkcs1() {
    return dir.resolve("client-rsa.key");
  }

  /** A PKCS#12 trust store holding the test CA, with {@link #storePassword}. */
  public Path trustStore() {
    return dir.resolve("truststore.p12");
  }

  /** A PKCS#12 key store holding the client key and certificate, with {@link #storePassword}. */
  public Path clientKeyStore() {
    return dir.resolve("client.p12");
  }

  private void selfSignedCa(String name, String commonName) {
    run("openssl", "req", "-x509", "-config", "openssl.cnf", "-extensions", "ca",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + commonName);
  }

  private void signed(String name, String commonName, String extensions, String keyType) {
    List<String> newKey = keyType.equals("rsa")
        ? List.of("-newkey", "rsa:2048")
        : List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1");
    List<String> request = new ArrayList<>(List.of("openssl", "req", "-new", "-config",
        "openssl.cnf"));
    request.addAll(newKey);
    request.addAll(List.of("-nodes", "-keyout", name + ".key", "-out", name + ".csr",
        "-subj", "/CN=" + commonName));
    run(request.toArray(String[]::new));
    run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "openssl.cnf", "-extensions", extensions,
        "-out", name + ".crt");
  }

  private void run(String... command) {
    Path log = dir.resolve("tls-tools.log");
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command[0] + " did not finish in 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command).replace(storePassword, "****")
            + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command[0], e);
    }
  }
}
