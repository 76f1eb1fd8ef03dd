package io.canvasstate.redis.testing;

import io.canvasstate.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS-only Redis servers ({@code --port 0 --tls-port N}) with certificates the test made
 * ({@link TlsCertificates}), started once per test class and torn down after it:
 *
 * <ul>
 *   <li>{@link #port()}: certificate for 127.0.0.1/localhost, client certificates optional;
 *   <li>{@link #mutualPort()}: the same certificate, client certificates required;
 *   <li>{@link #otherHostPort()}: a certificate from the same CA for another host name.
 * </ul>
 *
 * Not thread-safe: call it from the test thread.
 */
public final class RedisTlsExtension extends ClassScopedExtension {
  private final List<ServerProcess> servers = new ArrayList<>();
  private Path dir = Path.of(".");
  private TlsCertificates certificates = new TlsCertificates(dir, "");

  @Override
  void start() throws Exception {
    ServerProcess.requireBinaries("redis-server");
    dir = Files.createTempDirectory("canvasstate-tls");
    certificates = TlsCertificates.generate(dir);
    servers.add(start("tls-optional", certificates.serverCert(), certificates.serverKey(),
        "optional"));
    servers.add(start("tls-required", certificates.serverCert(), certificates.serverKey(),
        "yes"));
    servers.add(start("tls-other-host", certificates.otherHostCert(),
        certificates.otherHostKey(), "optional"));
  }

  @Override
  void stop() {
    servers.forEach(ServerProcess::kill);
    servers.clear();
    ServerProcess.deleteTree(dir);
  }

  public TlsCertificates certificates() {
    return certificates;
  }

  /** The server whose certificate names 127.0.0.1 and that accepts clients without one. */
  public int port() {
    return servers.get(0).port();
  }

  /** The server that requires a client certificate signed by the test CA. */
  public int mutualPort() {
    return servers.get(1).port();
  }

  /** The server whose certificate, from the test CA, names {@code not-this-host.invalid}. */
  public int otherHostPort() {
    return servers.get(2).port();
  }

  /** {@code rediss://127.0.0.1:<port>}. */
  public static String url(int port) {
    return "rediss://" + ServerProcess.HOST + ":" + port;
  }

  /** A configuration for {@link #port()} that trusts the test CA. */
  public StoreConfig.Builder config() {
    return StoreConfig.builder().redisUrl(url(port())).tlsCaFile(certificates.caCert());
  }

  private ServerProcess start(String name, Path cert, Path key, String authClients) {
    int port = FreePorts.next();
    List<String> args = new ArrayList<>(ServerProcess.baseArgs(0));
    args.addAll(List.of("--tls-port", Integer.toString(port),
        "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(),
        "--tls-ca-cert-file", certificates.caCert().toString(),
        "--tls-auth-clients", authClients, "--dir", dir.toString()));
    return ServerProcess.start(name, dir, port, args);
  }
}
