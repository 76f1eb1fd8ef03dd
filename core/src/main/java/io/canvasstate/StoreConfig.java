package io.canvasstate;

import static java.util.Objects.requireNonNull;

import io.canvasstate.internal.SettingValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Everything needed to build stores: where Redis is, how to reach it, and the library's own
 * settings. Read it from the environment with {@link #fromEnv()}, or build it.
 *
 * <p>Each setting has one name, used alike as an environment variable, a system property
 * (which wins over the environment) and, in lower camel case, a builder method:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code REDIS_URL}</td><td>none</td><td>{@code redis://[user:password@]host:port[/db]},
 *       or {@code rediss://} for TLS</td></tr>
 *   <tr><td>{@code REDIS_CLUSTER_ENDPOINTS}</td><td>none</td>
 *       <td>{@code host:port,host:port}: use Redis Cluster</td></tr>
 *   <tr><td>{@code REDIS_SENTINEL_MASTER}, {@code REDIS_SENTINEL_NODES}</td><td>none</td>
 *       <td>master name and {@code host:port,...} of the sentinels: use Sentinel</td></tr>
 *   <tr><td>{@code REDIS_USERNAME}, {@code REDIS_PASSWORD}</td><td>none</td>
 *       <td>ACL user and password; win over those in the URL</td></tr>
 *   <tr><td>{@code REDIS_SENTINEL_USERNAME}, {@code REDIS_SENTINEL_PASSWORD}</td><td>none</td>
 *       <td>credentials of the sentinels themselves, when they require them</td></tr>
 *   <tr><td>{@code REDIS_TLS}</td><td>{@code false}</td><td>use TLS (implied by rediss://)</td></tr>
 *   <tr><td>{@code REDIS_TLS_CA_FILE}</td><td>the JVM's trust store</td>
 *       <td>PEM file of the CA certificate(s) that signed the server's certificate</td></tr>
 *   <tr><td>{@code REDIS_TLS_TRUSTSTORE}, {@code REDIS_TLS_TRUSTSTORE_PASSWORD}</td>
 *       <td>the JVM's trust store</td><td>PKCS#12 or JKS trust store instead of a CA file</td></tr>
 *   <tr><td>{@code REDIS_TLS_CERT_FILE}, {@code REDIS_TLS_KEY_FILE}</td><td>none</td>
 *       <td>PEM client certificate (chain) and its unencrypted PKCS#8 or PKCS#1 private key, for
 *       mutual TLS</td></tr>
 *   <tr><td>{@code REDIS_TLS_KEYSTORE}, {@code REDIS_TLS_KEYSTORE_PASSWORD}</td><td>none</td>
 *       <td>PKCS#12 or JKS key store with the client key and certificate, instead of PEM</td></tr>
 *   <tr><td>{@code REDIS_TLS_VERIFY_HOSTNAME}</td><td>{@code true}</td>
 *       <td>check that the server's certificate names the host connected to; turning it off is
 *       logged at WARN when stores are built</td></tr>
 *   <tr><td>{@code REDIS_CONNECT_TIMEOUT}</td><td>{@code 2s}</td><td>connect timeout</td></tr>
 *   <tr><td>{@code REDIS_TIMEOUT}</td><td>{@code 2s}</td><td>read timeout of a command</td></tr>
 *   <tr><td>{@code REDIS_POOL_SIZE}</td><td>{@code 16}</td><td>most connections per node</td></tr>
 *   <tr><td>{@code REDIS_MAX_ATTEMPTS}</td><td>{@code 3}</td>
 *       <td>tries of a command on a cluster, where redirects and failovers are retried</td></tr>
 *   <tr><td>{@code REDIS_MAX_RETRY_DURATION}</td><td>{@code 6s}</td>
 *       <td>most time a command may spend on those tries, waits between them included</td></tr>
 *   <tr><td>{@code CANVASSTATE_CANVAS_TTL}</td><td>{@code 1h}</td><td>canvas lifetime</td></tr>
 *   <tr><td>{@code CANVASSTATE_PRESENCE_TTL}</td><td>{@code 5m}</td><td>presence lifetime</td></tr>
 *   <tr><td>{@code CANVASSTATE_KEY_PREFIX}</td><td>empty</td><td>prefix of every key</td></tr>
 *   <tr><td>{@code CANVASSTATE_FALLBACK}</td><td>{@code true}</td>
 *       <td>answer from memory while Redis is down</td></tr>
 *   <tr><td>{@code CANVASSTATE_MAX_VALUE_BYTES}</td><td>{@code 1048576}</td>
 *       <td>largest encoded value accepted</td></tr>
 *   <tr><td>{@code CANVASSTATE_CHUNK_SIZE}</td><td>{@code 1000}</td>
 *       <td>most objects one Redis call of a bulk operation ({@code putAll}, {@code clear},
 *       {@code getAll}, a load from the repository) handles</td></tr>
 *   <tr><td>{@code CANVASSTATE_CHUNK_BYTES}</td><td>{@code 1048576}</td>
 *       <td>most value bytes one Redis call of a bulk write carries (a chunk always takes at
 *       least one object)</td></tr>
 *   <tr><td>{@code CANVASSTATE_MAX_CANVAS_OBJECTS}</td><td>{@code 1000000}</td>
 *       <td>most objects one project's canvas may hold; a write or load beyond it is
 *       refused</td></tr>
 * </table>
 *
 * <p>Durations take a unit: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, or ISO-8601
 * ({@code PT2S}). Credentials never appear in {@link #toString()}, in {@link #redisUrl()} or in
 * any exception this class throws. Instances are immutable and thread-safe.
 */
public final class StoreConfig {
  /** Default of {@code REDIS_CONNECT_TIMEOUT}: 2 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Default of {@code REDIS_TIMEOUT}: 2 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  /** Default of {@code REDIS_POOL_SIZE}: 16 connections per node. */
  public static final int DEFAULT_POOL_SIZE = 16;
  /** Default of {@code REDIS_MAX_ATTEMPTS}: 3 tries. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Default of {@code REDIS_MAX_RETRY_DURATION}: 6 s. */
  public static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofSeconds(6);
  /** Default of {@code CANVASSTATE_MAX_VALUE_BYTES}: 1 MiB. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
  /** Most objects one Redis call of a bulk operation handles, by default. */
  public static final int DEFAULT_CHUNK_SIZE = 1_000;
  /** Most value bytes one Redis call of a bulk write carries, by default. */
  public static final int DEFAULT_CHUNK_BYTES = 1 << 20;
  /** Most objects one project's canvas may hold, by default. */
  public static final int DEFAULT_MAX_CANVAS_OBJECTS = 1_000_000;

  /** The deployment a configuration selects. */
  public enum Deployment {
    /** No Redis configured: stores are in memory only. */
    NONE,
    /** One Redis server ({@code REDIS_URL}). */
    STANDALONE,
    /** Redis Cluster ({@code REDIS_CLUSTER_ENDPOINTS}). */
    CLUSTER,
    /** Redis behind Sentinel ({@code REDIS_SENTINEL_MASTER} and {@code REDIS_SENTINEL_NODES}). */
    SENTINEL
  }

  private final @Nullable URI redisUrl;
  private final List<HostPort> clusterEndpoints;
  private final @Nullable String sentinelMaster;
  private final List<HostPort> sentinelNodes;
  private final @Nullable String username;
  private final @Nullable String password;
  private final boolean tls;
  private final @Nullable String sentinelUsername;
  private final @Nullable String sentinelPassword;
  private final @Nullable Path tlsCaFile;
  private final @Nullable Path tlsTrustStore;
  private final @Nullable String tlsTrustStorePassword;
  private final @Nullable Path tlsCertFile;
  private final @Nullable Path tlsKeyFile;
  private final @Nullable Path tlsKeyStore;
  private final @Nullable String tlsKeyStorePassword;
  private final boolean tlsVerifyHostname;
  private final Duration maxRetryDuration;
  private final Duration connectTimeout;
  private final Duration timeout;
  private final int poolSize;
  private final int maxAttempts;
  private final TtlPolicy ttl;
  private final KeySchema keySchema;
  private final boolean fallbackEnabled;
  private final int maxValueBytes;
  private final int chunkSize;
  private final int chunkBytes;
  private final int maxCanvasObjects;

  private StoreConfig(Builder b) {
    this.redisUrl = b.redisUrl;
    this.clusterEndpoints = List.copyOf(b.clusterEndpoints);
    this.sentinelMaster = b.sentinelMaster;
    this.sentinelNodes = List.copyOf(b.sentinelNodes);
    this.username = b.username;
    this.password = b.password;
    this.tls = b.tls || (b.redisUrl != null && "rediss".equals(b.redisUrl.getScheme()));
    this.sentinelUsername = b.sentinelUsername;
    this.sentinelPassword = b.sentinelPassword;
    this.tlsCaFile = b.tlsCaFile;
    this.tlsTrustStore = b.tlsTrustStore;
    this.tlsTrustStorePassword = b.tlsTrustStorePassword;
    this.tlsCertFile = b.tlsCertFile;
    this.tlsKeyFile = b.tlsKeyFile;
    this.tlsKeyStore = b.tlsKeyStore;
    this.tlsKeyStorePassword = b.tlsKeyStorePassword;
    this.tlsVerifyHostname = b.tlsVerifyHostname;
    this.maxRetryDuration = b.maxRetryDuration;
    this.connectTimeout = b.connectTimeout;
    this.timeout = b.timeout;
    this.poolSize = b.poolSize;
    this.maxAttempts = b.maxAttempts;
    this.ttl = b.ttl;
    this.keySchema = b.keySchema;
    this.fallbackEnabled = b.fallbackEnabled;
    this.maxValueBytes = b.maxValueBytes;
    this.chunkSize = b.chunkSize;
    this.chunkBytes = b.chunkBytes;
    this.maxCanvasObjects = b.maxCanvasObjects;
  }

  /** A builder with every default and no Redis. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Reads the configuration from the environment and system properties (which win).
   *
   * @throws IllegalArgumentException naming the variable whose value is invalid
   * @throws IllegalStateException if settings conflict (Cluster and Sentinel both set)
   */
  public static StoreConfig fromEnv() {
    return from(SettingValues.environment());
  }

  /**
   * Reads the configuration from a map of setting names to values, as {@link #fromEnv()} does
   * from the environment. Unknown names are ignored; blank values count as unset.
   *
   * @throws IllegalArgumentException naming the setting whose value is invalid
   * @throws IllegalStateException if settings conflict
   */
  public static StoreConfig from(Map<String, String> settings) {
    requireNonNull(settings, "settings");
    Builder b = builder();
    Settings s = new Settings(settings);
    s.ifSet("REDIS_URL", b::redisUrl);
    s.ifSet("REDIS_CLUSTER_ENDPOINTS", b::clusterEndpoints);
    s.ifSet("REDIS_SENTINEL_MASTER", b::sentinelMaster);
    s.ifSet("REDIS_SENTINEL_NODES", b::sentinelNodes);
    s.ifSet("REDIS_USERNAME", b::username);
    s.ifSet("REDIS_PASSWORD", b::password);
    s.ifSet("REDIS_SENTINEL_USERNAME", b::sentinelUsername);
    s.ifSet("REDIS_SENTINEL_PASSWORD", b::sentinelPassword);
    s.ifSet("REDIS_TLS", v -> b.tls(parseBoolean("REDIS_TLS", v)));
    s.ifSet("REDIS_TLS_CA_FILE", v -> b.tlsCaFile(parsePath("REDIS_TLS_CA_FILE", v)));
    s.ifSet("REDIS_TLS_TRUSTSTORE", v -> b.tlsTrustStore(parsePath("REDIS_TLS_TRUSTSTORE", v),
        s.get("REDIS_TLS_TRUSTSTORE_PASSWORD")));
    s.ifSet("REDIS_TLS_CERT_FILE", v -> b.tlsClientCertificate(
        parsePath("REDIS_TLS_CERT_FILE", v),
        parsePath("REDIS_TLS_KEY_FILE",
            requireSet(s, "REDIS_TLS_KEY_FILE", "REDIS_TLS_CERT_FILE"))));
    if (s.get("REDIS_TLS_KEY_FILE") != null && s.get("REDIS_TLS_CERT_FILE") == null) {
      throw new IllegalStateException("REDIS_TLS_KEY_FILE is set without REDIS_TLS_CERT_FILE");
    }
    s.ifSet("REDIS_TLS_KEYSTORE", v -> b.tlsKeyStore(parsePath("REDIS_TLS_KEYSTORE", v),
        s.get("REDIS_TLS_KEYSTORE_PASSWORD")));
    s.ifSet("REDIS_TLS_VERIFY_HOSTNAME",
        v -> b.tlsVerifyHostname(parseBoolean("REDIS_TLS_VERIFY_HOSTNAME", v)));
    s.ifSet("REDIS_CONNECT_TIMEOUT", v -> b.connectTimeout(parseDuration("REDIS_CONNECT_TIMEOUT", v)));
    s.ifSet("REDIS_TIMEOUT", v -> b.timeout(parseDuration("REDIS_TIMEOUT", v)));
    s.ifSet("REDIS_POOL_SIZE", v -> b.poolSize(parseInt("REDIS_POOL_SIZE", v)));
    s.ifSet("REDIS_MAX_ATTEMPTS", v -> b.maxAttempts(parseInt("REDIS_MAX_ATTEMPTS", v)));
    s.ifSet("REDIS_MAX_RETRY_DURATION",
        v -> b.maxRetryDuration(parseDuration("REDIS_MAX_RETRY_DURATION", v)));
    TtlPolicy[] ttl = {TtlPolicy.DEFAULT};
    s.ifSet("CANVASSTATE_CANVAS_TTL",
        v -> ttl[0] = ttl[0].withCanvasTtl(parseDuration("CANVASSTATE_CANVAS_TTL", v)));
    s.ifSet("CANVASSTATE_PRESENCE_TTL",
        v -> ttl[0] = ttl[0].withPresenceTtl(parseDuration("CANVASSTATE_PRESENCE_TTL", v)));
    b.ttl(ttl[0]);
    s.ifSet("CANVASSTATE_KEY_PREFIX", v -> b.keyPrefix(v));
    s.ifSet("CANVASSTATE_FALLBACK", v -> b.fallbackEnabled(parseBoolean("CANVASSTATE_FALLBACK", v)));
    s.ifSet("CANVASSTATE_MAX_VALUE_BYTES",
        v -> b.maxValueBytes(parseInt("CANVASSTATE_MAX_VALUE_BYTES", v)));
    s.ifSet("CANVASSTATE_CHUNK_SIZE", v -> b.chunkSize(parseInt("CANVASSTATE_CHUNK_SIZE", v)));
    s.ifSet("CANVASSTATE_CHUNK_BYTES", v -> b.chunkBytes(parseInt("CANVASSTATE_CHUNK_BYTES", v)));
    s.ifSet("CANVASSTATE_MAX_CANVAS_OBJECTS",
        v -> b.maxCanvasObjects(parseInt("CANVASSTATE_MAX_CANVAS_OBJECTS", v)));
    return b.build();
  }

  /** Which deployment these settings select. */
  public Deployment deployment() {
    if (!clusterEndpoints.isEmpty()) {
      return Deployment.CLUSTER;
    }
    if (sentinelMaster != null) {
      return Deployment.SENTINEL;
    }
    return redisUrl == null ? Deployment.NONE : Deployment.STANDALONE;
  }

  /** The Redis URL without its credentials (they are in {@link #username} and {@link #password}). */
  public Optional<URI> redisUrl() {
    return Optional.ofNullable(redisUrl);
  }

  /** The Redis Cluster nodes to start from; empty unless the deployment is a cluster. */
  public List<HostPort> clusterEndpoints() {
    return clusterEndpoints;
  }

  /** The master name the sentinels watch; empty unless the deployment is Sentinel. */
  public Optional<String> sentinelMaster() {
    return Optional.ofNullable(sentinelMaster);
  }

  /** The sentinels to ask for the master; empty unless the deployment is Sentinel. */
  public List<HostPort> sentinelNodes() {
    return sentinelNodes;
  }

  /** The ACL user of the data nodes, if one is set. */
  public Optional<String> username() {
    return Optional.ofNullable(username);
  }

  /** The password. Never log it; {@link #toString()} masks it. */
  public Optional<String> password() {
    return Optional.ofNullable(password);
  }

  /** Whether connections use TLS ({@code REDIS_TLS=true} or a {@code rediss://} URL). */
  public boolean tls() {
    return tls;
  }

  /** The sentinels' own ACL user, if they require one (not the data nodes' user). */
  public Optional<String> sentinelUsername() {
    return Optional.ofNullable(sentinelUsername);
  }

  /** The sentinels' own password. Never log it; {@link #toString()} masks it. */
  public Optional<String> sentinelPassword() {
    return Optional.ofNullable(sentinelPassword);
  }

  /** The PEM file of the CA certificates to trust; empty for the trust store or the JVM's. */
  public Optional<Path> tlsCaFile() {
    return Optional.ofNullable(tlsCaFile);
  }

  /** The trust store (PKCS#12 or JKS) to trust instead of a CA file. */
  public Optional<Path> tlsTrustStore() {
    return Optional.ofNullable(tlsTrustStore);
  }

  /** The trust store's password, if it has one. Never log it. */
  public Optional<String> tlsTrustStorePassword() {
    return Optional.ofNullable(tlsTrustStorePassword);
  }

  /** The PEM client certificate (chain) for mutual TLS; set together with {@link #tlsKeyFile}. */
  public Optional<Path> tlsCertFile() {
    return Optional.ofNullable(tlsCertFile);
  }

  /** The PEM private key of {@link #tlsCertFile}. */
  public Optional<Path> tlsKeyFile() {
    return Optional.ofNullable(tlsKeyFile);
  }

  /** The key store (PKCS#12 or JKS) with the client key and certificate for mutual TLS. */
  public Optional<Path> tlsKeyStore() {
    return Optional.ofNullable(tlsKeyStore);
  }

  /** The key store's password (also the key's), if it has one. Never log it. */
  public Optional<String> tlsKeyStorePassword() {
    return Optional.ofNullable(tlsKeyStorePassword);
  }

  /**
   * Whether the server's certificate must name the host connected to (default {@code true}).
   * Without it, any certificate the trusted CAs signed is accepted, whoever it was issued to.
   */
  public boolean tlsVerifyHostname() {
    return tlsVerifyHostname;
  }

  /** Whether a client certificate is configured (PEM files or a key store). */
  public boolean tlsClientAuth() {
    return tlsCertFile != null || tlsKeyStore != null;
  }

  /** The most time a command may spend on its {@link #maxAttempts} tries, waits included. */
  public Duration maxRetryDuration() {
    return maxRetryDuration;
  }

  /** How long opening a connection may take. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long a command may wait for its answer before the store counts Redis as unavailable. */
  public Duration timeout() {
    return timeout;
  }

  /** The most connections kept to one Redis node. */
  public int poolSize() {
    return poolSize;
  }

  /** How many times a cluster command is tried across redirects and failovers. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The canvas and presence lifetimes. */
  public TtlPolicy ttl() {
    return ttl;
  }

  /** The key names, with the configured prefix. */
  public KeySchema keySchema() {
    return keySchema;
  }

  /** Whether stores answer from memory while Redis is down (the failover decorator). */
  public boolean fallbackEnabled() {
    return fallbackEnabled;
  }

  /** The largest encoded value a store accepts, in bytes. */
  public int maxValueBytes() {
    return maxValueBytes;
  }

  /**
   * The most objects one Redis call of a bulk operation handles: {@code putAll}, {@code clear}
   * and a load from the repository write in chunks of at most this many objects, {@code getAll}
   * reads in pieces of about this many, so that no call keeps Redis busy for long.
   */
  public int chunkSize() {
    return chunkSize;
  }

  /** The most value bytes one Redis call of a bulk write carries (at least one object a call). */
  public int chunkBytes() {
    return chunkBytes;
  }

  /** The most objects one project's canvas may hold; writes and loads beyond it are refused. */
  public int maxCanvasObjects() {
    return maxCanvasObjects;
  }

  /** The settings, with the password masked. */
  @Override
  public String toString() {
    return "StoreConfig{deployment=" + deployment()
        + (redisUrl != null ? ", redisUrl=" + redisUrl : "")
        + (clusterEndpoints.isEmpty() ? "" : ", clusterEndpoints=" + clusterEndpoints)
        + (sentinelMaster != null ? ", sentinelMaster=" + sentinelMaster
            + ", sentinelNodes=" + sentinelNodes : "")
        + (username != null ? ", username=" + username : "")
        + (password != null ? ", password=****" : "")
        + (sentinelUsername != null ? ", sentinelUsername=" + sentinelUsername : "")
        + (sentinelPassword != null ? ", sentinelPassword=****" : "")
        + ", tls=" + tls
        + (tlsCaFile != null ? ", tlsCaFile=" + tlsCaFile : "")
        + (tlsTrustStore != null ? ", tlsTrustStore=" + tlsTrustStore : "")
        + (tlsTrustStorePassword != null ? ", tlsTrustStorePassword=****" : "")
        + (tlsCertFile != null ? ", tlsCertFile=" + tlsCertFile + ", tlsKeyFile=" + tlsKeyFile : "")
        + (tlsKeyStore != null ? ", tlsKeyStore=" + tlsKeyStore : "")
        + (tlsKeyStorePassword != null ? ", tlsKeyStorePassword=****" : "")
        + (tls ? ", tlsVerifyHostname=" + tlsVerifyHostname : "")
        + ", connectTimeout=" + connectTimeout
        + ", timeout=" + timeout
        + ", poolSize=" + poolSize
        + ", maxAttempts=" + maxAttempts
        + ", maxRetryDuration=" + maxRetryDuration
        + ", ttl=" + ttl
        + ", keyPrefix=\"" + keySchema.prefix() + "\""
        + ", fallbackEnabled=" + fallbackEnabled
        + ", maxValueBytes=" + maxValueBytes
        + ", chunkSize=" + chunkSize
        + ", chunkBytes=" + chunkBytes
        + ", maxCanvasObjects=" + maxCanvasObjects
        + "}";
  }

  /**
   * A host and port, as in {@code REDIS_CLUSTER_ENDPOINTS}.
   *
   * @param host a host name or IP address (IPv6 in brackets in text form)
   * @param port 1 to 65535
   */
  public record HostPort(String host, int port) {
    /** @throws IllegalArgumentException if the host is blank or the port out of range */
    public HostPort {
      requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1 to 65535: " + port);
      }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static HostPort parse(String text) {
      requireNonNull(text, "text");
      String t = text.trim();
      int colon = t.lastIndexOf(':');
      if (colon <= 0 || colon == t.length() - 1) {
        throw new IllegalArgumentException("expected host:port, got \"" + t + "\"");
      }
      String host = t.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        return new HostPort(host, Integer.parseInt(t.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected host:port, got \"" + t + "\"", e);
      }
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Builds a {@link StoreConfig}; every setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private @Nullable URI redisUrl;
    private List<HostPort> clusterEndpoints = List.of();
    private @Nullable String sentinelMaster;
    private List<HostPort> sentinelNodes = List.of();
    private @Nullable String username;
    private @Nullable String password;
    private boolean tls;
    private @Nullable String sentinelUsername;
    private @Nullable String sentinelPassword;
    private @Nullable Path tlsCaFile;
    private @Nullable Path tlsTrustStore;
    private @Nullable String tlsTrustStorePassword;
    private @Nullable Path tlsCertFile;
    private @Nullable Path tlsKeyFile;
    private @Nullable Path tlsKeyStore;
    private @Nullable String tlsKeyStorePassword;
    private boolean tlsVerifyHostname = true;
    private Duration maxRetryDuration = DEFAULT_MAX_RETRY_DURATION;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int poolSize = DEFAULT_POOL_SIZE;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private TtlPolicy ttl = TtlPolicy.DEFAULT;
    private KeySchema keySchema = KeySchema.DEFAULT;
    private boolean fallbackEnabled = true;
    private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private int chunkBytes = DEFAULT_CHUNK_BYTES;
    private int maxCanvasObjects = DEFAULT_MAX_CANVAS_OBJECTS;

    private Builder() {}

    private Builder(StoreConfig c) {
      redisUrl = c.redisUrl;
      clusterEndpoints = c.clusterEndpoints;
      sentinelMaster = c.sentinelMaster;
      sentinelNodes = c.sentinelNodes;
      username = c.username;
      password = c.password;
      tls = c.tls;
      sentinelUsername = c.sentinelUsername;
      sentinelPassword = c.sentinelPassword;
      tlsCaFile = c.tlsCaFile;
      tlsTrustStore = c.tlsTrustStore;
      tlsTrustStorePassword = c.tlsTrustStorePassword;
      tlsCertFile = c.tlsCertFile;
      tlsKeyFile = c.tlsKeyFile;
      tlsKeyStore = c.tlsKeyStore;
      tlsKeyStorePassword = c.tlsKeyStorePassword;
      tlsVerifyHostname = c.tlsVerifyHostname;
      maxRetryDuration = c.maxRetryDuration;
      connectTimeout = c.connectTimeout;
      timeout = c.timeout;
      poolSize = c.poolSize;
      maxAttempts = c.maxAttempts;
      ttl = c.ttl;
      keySchema = c.keySchema;
      fallbackEnabled = c.fallbackEnabled;
      maxValueBytes = c.maxValueBytes;
      chunkSize = c.chunkSize;
      chunkBytes = c.chunkBytes;
      maxCanvasObjects = c.maxCanvasObjects;
    }

    /**
     * The Redis URL, {@code redis://[user[:password]@]host[:port][/db]} or {@code rediss://}.
     * Credentials in the URL are moved to {@link #username} and {@link #password} (unless those
     * were set explicitly) and never kept in the URL.
     *
     * @throws IllegalArgumentException if it is not such a URL (the message shows no credential)
     */
    public Builder redisUrl(String url) {
      requireNonNull(url, "url");
      URI uri;
      try {
        uri = new URI(url.trim());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("REDIS_URL is not a valid URI: " + redactUserInfo(url));
      }
      String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
      if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
        throw new IllegalArgumentException(
            "REDIS_URL must start with redis:// or rediss://: " + redactUserInfo(url));
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("REDIS_URL has no host: " + redactUserInfo(url));
      }
      if (uri.getPort() == 0 || uri.getPort() > 65535) {
        throw new IllegalArgumentException(
            "REDIS_URL port must be 1 to 65535: " + redactUserInfo(url));
      }
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String pass = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        if (colon < 0) {
          // redis://secret@host is the password-only form that redis-cli also accepts.
          pass = user;
          user = null;
        }
        if (this.username == null && user != null && !user.isEmpty()) {
          this.username = user;
        }
        if (this.password == null && pass != null && !pass.isEmpty()) {
          this.password = pass;
        }
      }
      try {
        this.redisUrl = new URI(scheme, null, uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(),
            uri.getPath(), null, null);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("REDIS_URL is not a valid URI: " + redactUserInfo(url));
      }
      return this;
    }

    /**
     * Redis Cluster seed nodes, {@code host:port,host:port}.
     *
     * @throws IllegalArgumentException if an entry is not {@code host:port}
     */
    public Builder clusterEndpoints(String endpoints) {
      this.clusterEndpoints = parseHostPorts("REDIS_CLUSTER_ENDPOINTS", endpoints);
      return this;
    }

    /** Redis Cluster seed nodes. */
    public Builder clusterEndpoints(List<HostPort> endpoints) {
      this.clusterEndpoints = List.copyOf(requireNonNull(endpoints, "endpoints"));
      return this;
    }

    /** The name of the master that the sentinels watch. */
    public Builder sentinelMaster(String masterName) {
      this.sentinelMaster = requireNonBlank("REDIS_SENTINEL_MASTER", masterName);
      return this;
    }

    /**
     * The sentinels, {@code host:port,host:port}.
     *
     * @throws IllegalArgumentException if an entry is not {@code host:port}
     */
    public Builder sentinelNodes(String nodes) {
      this.sentinelNodes = parseHostPorts("REDIS_SENTINEL_NODES", nodes);
      return this;
    }

    /** The sentinels. */
    public Builder sentinelNodes(List<HostPort> nodes) {
      this.sentinelNodes = List.copyOf(requireNonNull(nodes, "nodes"));
      return this;
    }

    /** The ACL user name. */
    public Builder username(String username) {
      this.username = requireNonBlank("REDIS_USERNAME", username);
      return this;
    }

    /** The password (of the ACL user, or of the default user). */
    public Builder password(String password) {
      requireNonNull(password, "password");
      if (password.isEmpty()) {
        throw new IllegalArgumentException("REDIS_PASSWORD must not be empty");
      }
      this.password = password;
      return this;
    }

    /** Whether to use TLS; a {@code rediss://} URL turns it on too. */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * The sentinels' own ACL user, when the sentinels require authentication.
     *
     * @throws IllegalArgumentException if it is blank
     */
    public Builder sentinelUsername(String username) {
      this.sentinelUsername = requireNonBlank("REDIS_SENTINEL_USERNAME", username);
      return this;
    }

    /**
     * The sentinels' own password ({@code requirepass} in sentinel.conf).
     *
     * @throws IllegalArgumentException if it is empty
     */
    public Builder sentinelPassword(String password) {
      this.sentinelPassword = requireNonEmpty("REDIS_SENTINEL_PASSWORD", password);
      return this;
    }

    /** A PEM file of the CA certificates to trust, instead of the JVM's trust store. */
    public Builder tlsCaFile(Path caFile) {
      this.tlsCaFile = requireNonNull(caFile, "caFile");
      return this;
    }

    /**
     * A PKCS#12 or JKS trust store to trust, instead of the JVM's.
     *
     * @param password its password, or null for none
     */
    public Builder tlsTrustStore(Path trustStore, @Nullable String password) {
      this.tlsTrustStore = requireNonNull(trustStore, "trustStore");
      this.tlsTrustStorePassword = password;
      return this;
    }

    /**
     * The client certificate (PEM, leaf first, optionally followed by its chain) and its
     * unencrypted PEM private key (PKCS#8 {@code BEGIN PRIVATE KEY} or PKCS#1
     * {@code BEGIN RSA PRIVATE KEY}), for mutual TLS.
     */
    public Builder tlsClientCertificate(Path certFile, Path keyFile) {
      this.tlsCertFile = requireNonNull(certFile, "certFile");
      this.tlsKeyFile = requireNonNull(keyFile, "keyFile");
      return this;
    }

    /**
     * A PKCS#12 or JKS key store holding the client key and certificate, for mutual TLS.
     *
     * @param password the store's (and key's) password, or null for none
     */
    public Builder tlsKeyStore(Path keyStore, @Nullable String password) {
      this.tlsKeyStore = requireNonNull(keyStore, "keyStore");
      this.tlsKeyStorePassword = password;
      return this;
    }

    /**
     * Whether the server's certificate must name the host connected to (default true). Turning
     * it off accepts any certificate the trusted CAs signed; stores log a warning when built.
     */
    public Builder tlsVerifyHostname(boolean verifyHostname) {
      this.tlsVerifyHostname = verifyHostname;
      return this;
    }

    /**
     * The most time a command may spend on its tries, waits between them included.
     *
     * @throws IllegalArgumentException if it is zero or negative
     */
    public Builder maxRetryDuration(Duration maxRetryDuration) {
      this.maxRetryDuration = requirePositive("REDIS_MAX_RETRY_DURATION", maxRetryDuration);
      return this;
    }

    /** How long opening a connection may take. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = requirePositive("REDIS_CONNECT_TIMEOUT", connectTimeout);
      return this;
    }

    /** How long a command may wait for its answer. */
    public Builder timeout(Duration timeout) {
      this.timeout = requirePositive("REDIS_TIMEOUT", timeout);
      return this;
    }

    /** The most connections kept to one Redis node. */
    public Builder poolSize(int poolSize) {
      this.poolSize = requireAtLeast("REDIS_POOL_SIZE", poolSize, 1);
      return this;
    }

    /** How many times a cluster command is tried across redirects and failovers. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = requireAtLeast("REDIS_MAX_ATTEMPTS", maxAttempts, 1);
      return this;
    }

    /** The canvas and presence lifetimes. */
    public Builder ttl(TtlPolicy ttl) {
      this.ttl = requireNonNull(ttl, "ttl");
      return this;
    }

    /**
     * The prefix of every key, such as {@code "myapp:"}.
     *
     * @throws IllegalArgumentException if {@link KeySchema#withPrefix} rejects it
     */
    public Builder keyPrefix(String prefix) {
      this.keySchema = KeySchema.withPrefix(prefix);
      return this;
    }

    /** Whether stores answer from memory while Redis is down. */
    public Builder fallbackEnabled(boolean fallbackEnabled) {
      this.fallbackEnabled = fallbackEnabled;
      return this;
    }

    /** The largest encoded value a store accepts, in bytes. */
    public Builder maxValueBytes(int maxValueBytes) {
      this.maxValueBytes = requireAtLeast("CANVASSTATE_MAX_VALUE_BYTES", maxValueBytes, 1);
      return this;
    }

    /**
     * The most objects one Redis call of a bulk operation handles ({@link StoreConfig#chunkSize}).
     *
     * @throws IllegalArgumentException if it is less than 1
     */
    public Builder chunkSize(int chunkSize) {
      this.chunkSize = requireAtLeast("CANVASSTATE_CHUNK_SIZE", chunkSize, 1);
      return this;
    }

    /**
     * The most value bytes one Redis call of a bulk write carries ({@link StoreConfig#chunkBytes}).
     *
     * @throws IllegalArgumentException if it is less than 1
     */
    public Builder chunkBytes(int chunkBytes) {
      this.chunkBytes = requireAtLeast("CANVASSTATE_CHUNK_BYTES", chunkBytes, 1);
      return this;
    }

    /**
     * The most objects one project's canvas may hold ({@link StoreConfig#maxCanvasObjects}).
     *
     * @throws IllegalArgumentException if it is less than 1
     */
    public Builder maxCanvasObjects(int maxCanvasObjects) {
      this.maxCanvasObjects =
          requireAtLeast("CANVASSTATE_MAX_CANVAS_OBJECTS", maxCanvasObjects, 1);
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalStateException if settings conflict: Cluster and Sentinel both set, a
     *     sentinel master without nodes or nodes without a master, TLS files without TLS, a CA
     *     file and a trust store, PEM client files and a key store, sentinel credentials without
     *     Sentinel
     */
    public StoreConfig build() {
      boolean tlsOn = tls || (redisUrl != null && "rediss".equals(redisUrl.getScheme()));
      if (!tlsOn && (tlsCaFile != null || tlsTrustStore != null || tlsCertFile != null
          || tlsKeyStore != null)) {
        throw new IllegalStateException("REDIS_TLS_* files are set but TLS is off;"
            + " set REDIS_TLS=true or use a rediss:// URL");
      }
      if (tlsCaFile != null && tlsTrustStore != null) {
        throw new IllegalStateException(
            "REDIS_TLS_CA_FILE and REDIS_TLS_TRUSTSTORE are both set; choose one");
      }
      if (tlsCertFile != null && tlsKeyStore != null) {
        throw new IllegalStateException(
            "REDIS_TLS_CERT_FILE and REDIS_TLS_KEYSTORE are both set; choose one");
      }
      if (sentinelMaster == null && (sentinelUsername != null || sentinelPassword != null)) {
        throw new IllegalStateException(
            "REDIS_SENTINEL_USERNAME/REDIS_SENTINEL_PASSWORD are set without REDIS_SENTINEL_MASTER");
      }
      if (!clusterEndpoints.isEmpty() && (sentinelMaster != null || !sentinelNodes.isEmpty())) {
        throw new IllegalStateException(
            "REDIS_CLUSTER_ENDPOINTS and REDIS_SENTINEL_* are both set; choose one deployment");
      }
      if ((sentinelMaster == null) != sentinelNodes.isEmpty()) {
        throw new IllegalStateException(
            "REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES must be set together");
      }
      return new StoreConfig(this);
    }
  }

  // ---- parsing ----

  /**
   * Parses {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601.
   *
   * @throws IllegalArgumentException naming the setting
   */
  static Duration parseDuration(String name, String value) {
    return SettingValues.parseDuration(name, value);
  }

  private static boolean parseBoolean(String name, String value) {
    return SettingValues.parseBoolean(name, value);
  }

  private static Path parsePath(String name, String value) {
    try {
      return Path.of(value.trim());
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException(name + " is not a valid path: \"" + value + "\"");
    }
  }

  private static String requireSet(Settings s, String name, String because) {
    String v = s.get(name);
    if (v == null) {
      throw new IllegalStateException(because + " is set without " + name);
    }
    return v;
  }

  private static int parseInt(String name, String value) {
    return SettingValues.parseInt(name, value);
  }

  private static List<HostPort> parseHostPorts(String name, String value) {
    requireNonNull(value, name);
    List<HostPort> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      try {
        out.add(HostPort.parse(part));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(name + " must list host:port pairs: \"" + value + "\"");
    }
    return List.copyOf(out);
  }

  private static Duration requirePositive(String name, Duration d) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }

  private static int requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
    }
    return value;
  }

  private static String requireNonEmpty(String name, String value) {
    requireNonNull(value, name);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }

  private static String requireNonBlank(String name, String value) {
    requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value.trim();
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The URL with anything between "//" and "@" replaced, for messages. */
  static String redactUserInfo(String url) {
    int start = url.indexOf("//");
    int at = url.lastIndexOf('@');
    if (start >= 0 && at > start) {
      return url.substring(0, start + 2) + "****@" + url.substring(at + 1);
    }
    return url;
  }

  /** A view of the settings map that treats blank values as unset. */
  private record Settings(Map<String, String> map) {
    @Nullable String get(String name) {
      return SettingValues.get(map, name);
    }

    /**
     * Applies a set value; an {@link IllegalArgumentException} that does not name the setting
     * (from {@link TtlPolicy} or {@link KeySchema}, say) is rethrown with its name in front.
     */
    void ifSet(String name, java.util.function.Consumer<String> action) {
      String v = get(name);
      if (v != null) {
        try {
          action.accept(v);
        } catch (IllegalArgumentException e) {
          String message = String.valueOf(e.getMessage());
          if (message.startsWith(name)) {
            throw e;
          }
          throw new IllegalArgumentException(name + ": " + message, e);
        }
      }
    }
  }
}
