package io.canvasstate.redis;

import io.canvasstate.StoreConfig;
import io.canvasstate.StoreConfig.HostPort;
import io.canvasstate.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.SslOptions;

/**
 * The one connection {@link RedisStores#create} makes when TLS is on: a TLS handshake and a
 * {@code PING} with the configured certificates, so that a certificate that does not verify (or
 * a client certificate the server rejects) fails at startup with a message naming the host,
 * instead of every later call failing as "Redis unavailable".
 *
 * <p>A server that cannot be reached is not an error here: the application starts while Redis
 * is down. The check tries the endpoints in order (at most {@value #MAX_ENDPOINTS}) until one
 * completes the handshake or rejects it: the Redis URL's host, the cluster seeds, or the
 * sentinels (the data nodes behind sentinels are found later; the same certificates apply).
 * Stateless and thread-safe.
 */
final class TlsStartupCheck {
  private static final Logger LOG = LoggerFactory.getLogger(TlsStartupCheck.class);
  static final int MAX_ENDPOINTS = 3;

  private TlsStartupCheck() {}

  /**
   * Runs the check.
   *
   * @throws StoreException if a server rejects the handshake or its certificate does not verify;
   *     the message names the host and port and says which setting to look at
   */
  static void run(StoreConfig config, SslOptions options) {
    List<HostPort> endpoints = endpoints(config);
    SSLContext context;
    try {
      context = options.createSslContext();
    } catch (IOException | GeneralSecurityException e) {
      throw new StoreException("cannot build a TLS context from the REDIS_TLS_* settings: "
          + e.getMessage(), e);
    }
    for (HostPort endpoint : endpoints.subList(0, Math.min(MAX_ENDPOINTS, endpoints.size()))) {
      Outcome outcome = handshake(config, context, endpoint);
      if (outcome.kind() == Kind.DROPPED) {
        // Reset or closed without an alert: the server's verdict on our certificate can race
        // the close. Once more, to read the alert if there is one.
        outcome = handshake(config, context, endpoint);
      }
      switch (outcome.kind()) {
        case ANSWERED -> {
          return;
        }
        case UNREACHABLE -> LOG.debug("TLS check: {} cannot be reached now ({}); trying the next"
            + " endpoint", endpoint, outcome.cause().toString());
        case REJECTED -> throw new StoreException(
            describe(config, endpoint, (SSLException) outcome.cause()), outcome.cause());
        case DROPPED -> throw new StoreException("TLS handshake with Redis at " + endpoint
            + " failed: the server closed the connection during the handshake; it may require"
            + " a client certificate (REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE, or"
            + " REDIS_TLS_KEYSTORE) or reject this one (" + outcome.cause() + ")",
            outcome.cause());
      }
    }
    LOG.info("TLS check: no Redis endpoint answered at startup; certificates will be verified"
        + " on the first connection");
  }

  /** How one handshake went. */
  private enum Kind {
    /** The handshake succeeded and the server answered PING. */
    ANSWERED,
    /** No TCP connection could be made: the server is down or far; not an error here. */
    UNREACHABLE,
    /** A TLS failure with a reason: the certificate did not verify, or the server's alert. */
    REJECTED,
    /** Connected, then reset or closed before the PING reply, without a TLS alert. */
    DROPPED
  }

  private record Outcome(Kind kind, Exception cause) {}

  /** Connects, shakes hands and exchanges a PING. */
  private static Outcome handshake(StoreConfig config, SSLContext context, HostPort endpoint) {
    int timeout = (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis());
    int readTimeout = (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis());
    try (Socket plain = new Socket()) {
      try {
        plain.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), timeout);
      } catch (IOException e) {
        return new Outcome(Kind.UNREACHABLE, e);
      }
      plain.setSoTimeout(readTimeout);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
          .createSocket(plain, endpoint.host(), endpoint.port(), true)) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm(config.tlsVerifyHostname() ? "HTTPS" : null);
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // With TLS 1.3 the server judges the client certificate after the handshake: its
        // verdict arrives here, as an alert instead of the reply.
        InputStream in = socket.getInputStream();
        if (in.read() < 0) {
          return new Outcome(Kind.DROPPED, new IOException("closed before the PING reply"));
        }
        return new Outcome(Kind.ANSWERED, new IOException("no failure"));
      }
    } catch (SSLException e) {
      return new Outcome(Kind.REJECTED, e);
    } catch (IOException e) {
      return new Outcome(Kind.DROPPED, e);
    }
  }

  private static String describe(StoreConfig config, HostPort endpoint, SSLException e) {
    String reason = String.valueOf(e.getMessage());
    String lower = reason.toLowerCase(Locale.ROOT);
    String hint;
    if (lower.contains("pkix") || lower.contains("certification path")
        || lower.contains("unable to find valid")) {
      hint = "its certificate is not signed by a CA this client trusts; set REDIS_TLS_CA_FILE"
          + " (or REDIS_TLS_TRUSTSTORE) to the CA that signed it";
    } else if (lower.contains("subject alternative name") || lower.contains("no name matching")) {
      hint = "its certificate does not name the host \"" + endpoint.host() + "\"; connect by a"
          + " name the certificate lists, or reissue it with that name"
          + " (REDIS_TLS_VERIFY_HOSTNAME=false turns the check off, for testing only)";
    } else if (lower.contains("certificate_required") || lower.contains("bad_certificate")
        || lower.contains("unknown_ca") || lower.contains("certificate_unknown")
        || lower.contains("unsupported_certificate") || lower.contains("access_denied")) {
      hint = config.tlsClientAuth()
          ? "the server rejected this client's certificate; check that REDIS_TLS_CERT_FILE"
              + " (or REDIS_TLS_KEYSTORE) is signed by a CA the server trusts"
          : "the server requires a client certificate; set REDIS_TLS_CERT_FILE and"
              + " REDIS_TLS_KEY_FILE (or REDIS_TLS_KEYSTORE)";
    } else if (lower.contains("unrecognized ssl message") || lower.contains("plaintext")) {
      hint = "the server does not speak TLS on this port; use its TLS port, or redis:// without"
          + " REDIS_TLS";
    } else if (lower.contains("expired") || lower.contains("not yet valid")) {
      hint = "its certificate is outside its validity period";
    } else {
      hint = "check the REDIS_TLS_* settings";
    }
    return "TLS handshake with Redis at " + endpoint + " failed: " + hint + " (" + reason + ")";
  }

  private static List<HostPort> endpoints(StoreConfig config) {
    return switch (config.deployment()) {
      case STANDALONE -> {
        java.net.URI url = config.redisUrl().orElseThrow();
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        yield List.of(new HostPort(host, url.getPort()));
      }
      case CLUSTER -> config.clusterEndpoints();
      case SENTINEL -> config.sentinelNodes();
      case NONE -> List.of();
    };
  }
}
