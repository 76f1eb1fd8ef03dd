package io.canvasstate.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code canvasstate.*} properties: one for each environment variable CanvasState reads
 * ({@code REDIS_URL} is {@code canvasstate.redis.url}, {@code CANVASSTATE_CANVAS_TTL} is
 * {@code canvasstate.canvas-ttl}, ...). A property that is set wins over its environment
 * variable; one that is not leaves the variable (or system property) in force, and then the
 * library's default. Passwords never appear in {@link #toString()}. Not thread-safe: Spring binds
 * it once at startup.
 */
@ConfigurationProperties("canvasstate")
public class CanvasStateProperties {
  /** Settings all unset. */
  public CanvasStateProperties() {}

  private final Redis redis = new Redis();
  private final Failover failover = new Failover();
  private final Persistence persistence = new Persistence();
  private final Metrics metrics = new Metrics();

  /** A project expires this long after its last read or write. Default 1h. Environment variable: CANVASSTATE_CANVAS_TTL. */
  private @Nullable Duration canvasTtl;

  /** A presence expires this long after its last heartbeat. Default 5m. Environment variable: CANVASSTATE_PRESENCE_TTL. */
  private @Nullable Duration presenceTtl;

  /** Prefix of every key, such as myapp:. Default empty. Environment variable: CANVASSTATE_KEY_PREFIX. */
  private @Nullable String keyPrefix;

  /** Largest encoded value accepted, in bytes. Default 1048576. Environment variable: CANVASSTATE_MAX_VALUE_BYTES. */
  private @Nullable Integer maxValueBytes;

  /** Wrap the Redis stores in the failover decorator, which answers from memory during an outage. Default true. Environment variable: CANVASSTATE_FALLBACK. */
  private @Nullable Boolean fallback;

  /** The value of {@code canvasstate.canvas-ttl}, if set ({@code CANVASSTATE_CANVAS_TTL} otherwise). */
  public @Nullable Duration getCanvasTtl() {
    return canvasTtl;
  }

  /** Sets {@code canvasstate.canvas-ttl}. */
  public void setCanvasTtl(@Nullable Duration canvasTtl) {
    this.canvasTtl = canvasTtl;
  }

  /** The value of {@code canvasstate.presence-ttl}, if set ({@code CANVASSTATE_PRESENCE_TTL} otherwise). */
  public @Nullable Duration getPresenceTtl() {
    return presenceTtl;
  }

  /** Sets {@code canvasstate.presence-ttl}. */
  public void setPresenceTtl(@Nullable Duration presenceTtl) {
    this.presenceTtl = presenceTtl;
  }

  /** The value of {@code canvasstate.key-prefix}, if set ({@code CANVASSTATE_KEY_PREFIX} otherwise). */
  public @Nullable String getKeyPrefix() {
    return keyPrefix;
  }

  /** Sets {@code canvasstate.key-prefix}. */
  public void setKeyPrefix(@Nullable String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  /** The value of {@code canvasstate.max-value-bytes}, if set ({@code CANVASSTATE_MAX_VALUE_BYTES} otherwise). */
  public @Nullable Integer getMaxValueBytes() {
    return maxValueBytes;
  }

  /** Sets {@code canvasstate.max-value-bytes}. */
  public void setMaxValueBytes(@Nullable Integer maxValueBytes) {
    this.maxValueBytes = maxValueBytes;
  }

  /** The value of {@code canvasstate.fallback}, if set ({@code CANVASSTATE_FALLBACK} otherwise). */
  public @Nullable Boolean getFallback() {
    return fallback;
  }

  /** Sets {@code canvasstate.fallback}. */
  public void setFallback(@Nullable Boolean fallback) {
    this.fallback = fallback;
  }

  /** The settings under {@code canvasstate.redis}. */
  public Redis getRedis() {
    return redis;
  }

  /** The settings under {@code canvasstate.failover}. */
  public Failover getFailover() {
    return failover;
  }

  /** The settings under {@code canvasstate.persistence}. */
  public Persistence getPersistence() {
    return persistence;
  }

  /** The settings under {@code canvasstate.metrics}. */
  public Metrics getMetrics() {
    return metrics;
  }

  /** Settings under {@code canvasstate.redis}. */
  public static final class Redis {
    /** Settings all unset. */
    public Redis() {}

    private final Sentinel sentinel = new Sentinel();

    private final Tls tls = new Tls();

    /** URL of a standalone Redis: redis://[user:password@]host:port[/db], or rediss:// for TLS. Environment variable: REDIS_URL. */
    private @Nullable String url;

    /** Seed nodes of a Redis Cluster, host:port,host:port. Environment variable: REDIS_CLUSTER_ENDPOINTS. */
    private @Nullable String clusterEndpoints;

    /** ACL user name; wins over the URL's. Environment variable: REDIS_USERNAME. */
    private @Nullable String username;

    /** Password; wins over the URL's. Never logged. Environment variable: REDIS_PASSWORD. */
    private @Nullable String password;

    /** Connect timeout. Default 2s. Environment variable: REDIS_CONNECT_TIMEOUT. */
    private @Nullable Duration connectTimeout;

    /** How long a command waits for its reply and for a pooled connection. Default 2s. Environment variable: REDIS_TIMEOUT. */
    private @Nullable Duration timeout;

    /** Most connections per Redis node. Default 16. Environment variable: REDIS_POOL_SIZE. */
    private @Nullable Integer poolSize;

    /** Cluster only: tries across redirects and failovers. Default 3. Environment variable: REDIS_MAX_ATTEMPTS. */
    private @Nullable Integer maxAttempts;

    /** Cluster only: longest time spent retrying one call. Default 6s. Environment variable: REDIS_MAX_RETRY_DURATION. */
    private @Nullable Duration maxRetryDuration;

    /** The value of {@code canvasstate.redis.url}, if set ({@code REDIS_URL} otherwise). */
    public @Nullable String getUrl() {
      return url;
    }

    /** Sets {@code canvasstate.redis.url}. */
    public void setUrl(@Nullable String url) {
      this.url = url;
    }

    /** The value of {@code canvasstate.redis.cluster-endpoints}, if set ({@code REDIS_CLUSTER_ENDPOINTS} otherwise). */
    public @Nullable String getClusterEndpoints() {
      return clusterEndpoints;
    }

    /** Sets {@code canvasstate.redis.cluster-endpoints}. */
    public void setClusterEndpoints(@Nullable String clusterEndpoints) {
      this.clusterEndpoints = clusterEndpoints;
    }

    /** The value of {@code canvasstate.redis.username}, if set ({@code REDIS_USERNAME} otherwise). */
    public @Nullable String getUsername() {
      return username;
    }

    /** Sets {@code canvasstate.redis.username}. */
    public void setUsername(@Nullable String username) {
      this.username = username;
    }

    /** The value of {@code canvasstate.redis.password}, if set ({@code REDIS_PASSWORD} otherwise). */
    public @Nullable String getPassword() {
      return password;
    }

    /** Sets {@code canvasstate.redis.password}. */
    public void setPassword(@Nullable String password) {
      this.password = password;
    }

    /** The value of {@code canvasstate.redis.connect-timeout}, if set ({@code REDIS_CONNECT_TIMEOUT} otherwise). */
    public @Nullable Duration getConnectTimeout() {
      return connectTimeout;
    }

    /** Sets {@code canvasstate.redis.connect-timeout}. */
    public void setConnectTimeout(@Nullable Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    /** The value of {@code canvasstate.redis.timeout}, if set ({@code REDIS_TIMEOUT} otherwise). */
    public @Nullable Duration getTimeout() {
      return timeout;
    }

    /** Sets {@code canvasstate.redis.timeout}. */
    public void setTimeout(@Nullable Duration timeout) {
      this.timeout = timeout;
    }

    /** The value of {@code canvasstate.redis.pool-size}, if set ({@code REDIS_POOL_SIZE} otherwise). */
    public @Nullable Integer getPoolSize() {
      return poolSize;
    }

    /** Sets {@code canvasstate.redis.pool-size}. */
    public void setPoolSize(@Nullable Integer poolSize) {
      this.poolSize = poolSize;
    }

    /** The value of {@code canvasstate.redis.max-attempts}, if set ({@code REDIS_MAX_ATTEMPTS} otherwise). */
    public @Nullable Integer getMaxAttempts() {
      return maxAttempts;
    }

    /** Sets {@code canvasstate.redis.max-attempts}. */
    public void setMaxAttempts(@Nullable Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    /** The value of {@code canvasstate.redis.max-retry-duration}, if set ({@code REDIS_MAX_RETRY_DURATION} otherwise). */
    public @Nullable Duration getMaxRetryDuration() {
      return maxRetryDuration;
    }

    /** Sets {@code canvasstate.redis.max-retry-duration}. */
    public void setMaxRetryDuration(@Nullable Duration maxRetryDuration) {
      this.maxRetryDuration = maxRetryDuration;
    }

    /** The settings under {@code canvasstate.redis.sentinel}. */
    public Sentinel getSentinel() {
      return sentinel;
    }

    /** Settings under {@code canvasstate.redis.sentinel}. */
    public static final class Sentinel {
      /** Settings all unset. */
      public Sentinel() {}

      /** Name of the master the sentinels watch. Environment variable: REDIS_SENTINEL_MASTER. */
      private @Nullable String master;

      /** The sentinels, host:port,host:port. Environment variable: REDIS_SENTINEL_NODES. */
      private @Nullable String nodes;

      /** ACL user of the sentinels themselves, if they require one. Environment variable: REDIS_SENTINEL_USERNAME. */
      private @Nullable String username;

      /** Password of the sentinels themselves. Never logged. Environment variable: REDIS_SENTINEL_PASSWORD. */
      private @Nullable String password;

      /** The value of {@code canvasstate.redis.sentinel.master}, if set ({@code REDIS_SENTINEL_MASTER} otherwise). */
      public @Nullable String getMaster() {
        return master;
      }

      /** Sets {@code canvasstate.redis.sentinel.master}. */
      public void setMaster(@Nullable String master) {
        this.master = master;
      }

      /** The value of {@code canvasstate.redis.sentinel.nodes}, if set ({@code REDIS_SENTINEL_NODES} otherwise). */
      public @Nullable String getNodes() {
        return nodes;
      }

      /** Sets {@code canvasstate.redis.sentinel.nodes}. */
      public void setNodes(@Nullable String nodes) {
        this.nodes = nodes;
      }

      /** The value of {@code canvasstate.redis.sentinel.username}, if set ({@code REDIS_SENTINEL_USERNAME} otherwise). */
      public @Nullable String getUsername() {
        return username;
      }

      /** Sets {@code canvasstate.redis.sentinel.username}. */
      public void setUsername(@Nullable String username) {
        this.username = username;
      }

      /** The value of {@code canvasstate.redis.sentinel.password}, if set ({@code REDIS_SENTINEL_PASSWORD} otherwise). */
      public @Nullable String getPassword() {
        return password;
      }

      /** Sets {@code canvasstate.redis.sentinel.password}. */
      public void setPassword(@Nullable String password) {
        this.password = password;
      }

    }

    /** The settings under {@code canvasstate.redis.tls}. */
    public Tls getTls() {
      return tls;
    }

    /** Settings under {@code canvasstate.redis.tls}. */
    public static final class Tls {
      /** Settings all unset. */
      public Tls() {}

      /** Use TLS (implied by a rediss:// URL). Default false. Environment variable: REDIS_TLS. */
      private @Nullable Boolean enabled;

      /** PEM file of the CA that signed the server's certificate. Default: the JVM's trust store. Environment variable: REDIS_TLS_CA_FILE. */
      private @Nullable String caFile;

      /** Trust store file (PKCS#12 or JKS) instead of a CA file. Environment variable: REDIS_TLS_TRUSTSTORE. */
      private @Nullable String truststore;

      /** Password of the trust store. Never logged. Environment variable: REDIS_TLS_TRUSTSTORE_PASSWORD. */
      private @Nullable String truststorePassword;

      /** PEM client certificate, for mutual TLS (with key-file). Environment variable: REDIS_TLS_CERT_FILE. */
      private @Nullable String certFile;

      /** PEM private key of the client certificate. Environment variable: REDIS_TLS_KEY_FILE. */
      private @Nullable String keyFile;

      /** Key store file holding the client certificate, instead of cert-file and key-file. Environment variable: REDIS_TLS_KEYSTORE. */
      private @Nullable String keystore;

      /** Password of the key store. Never logged. Environment variable: REDIS_TLS_KEYSTORE_PASSWORD. */
      private @Nullable String keystorePassword;

      /** Check the server certificate's host name; false is logged at WARN. Default true. Environment variable: REDIS_TLS_VERIFY_HOSTNAME. */
      private @Nullable Boolean verifyHostname;

      /** The value of {@code canvasstate.redis.tls.enabled}, if set ({@code REDIS_TLS} otherwise). */
      public @Nullable Boolean getEnabled() {
        return enabled;
      }

      /** Sets {@code canvasstate.redis.tls.enabled}. */
      public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
      }

      /** The value of {@code canvasstate.redis.tls.ca-file}, if set ({@code REDIS_TLS_CA_FILE} otherwise). */
      public @Nullable String getCaFile() {
        return caFile;
      }

      /** Sets {@code canvasstate.redis.tls.ca-file}. */
      public void setCaFile(@Nullable String caFile) {
        this.caFile = caFile;
      }

      /** The value of {@code canvasstate.redis.tls.truststore}, if set ({@code REDIS_TLS_TRUSTSTORE} otherwise). */
      public @Nullable String getTruststore() {
        return truststore;
      }

      /** Sets {@code canvasstate.redis.tls.truststore}. */
      public void setTruststore(@Nullable String truststore) {
        this.truststore = truststore;
      }

      /** The value of {@code canvasstate.redis.tls.truststore-password}, if set ({@code REDIS_TLS_TRUSTSTORE_PASSWORD} otherwise). */
      public @Nullable String getTruststorePassword() {
        return truststorePassword;
      }

      /** Sets {@code canvasstate.redis.tls.truststore-password}. */
      public void setTruststorePassword(@Nullable String truststorePassword) {
        this.truststorePassword = truststorePassword;
      }

      /** The value of {@code canvasstate.redis.tls.cert-file}, if set ({@code REDIS_TLS_CERT_FILE} otherwise). */
      public @Nullable String getCertFile() {
        return certFile;
      }

      /** Sets {@code canvasstate.redis.tls.cert-file}. */
      public void setCertFile(@Nullable String certFile) {
        this.certFile = certFile;
      }

      /** The value of {@code canvasstate.redis.tls.key-file}, if set ({@code REDIS_TLS_KEY_FILE} otherwise). */
      public @Nullable String getKeyFile() {
        return keyFile;
      }

      /** Sets {@code canvasstate.redis.tls.key-file}. */
      public void setKeyFile(@Nullable String keyFile) {
        this.keyFile = keyFile;
      }

      /** The value of {@code canvasstate.redis.tls.keystore}, if set ({@code REDIS_TLS_KEYSTORE} otherwise). */
      public @Nullable String getKeystore() {
        return keystore;
      }

      /** Sets {@code canvasstate.redis.tls.keystore}. */
      public void setKeystore(@Nullable String keystore) {
        this.keystore = keystore;
      }

      /** The value of {@code canvasstate.redis.tls.keystore-password}, if set ({@code REDIS_TLS_KEYSTORE_PASSWORD} otherwise). */
      public @Nullable String getKeystorePassword() {
        return keystorePassword;
      }

      /** Sets {@code canvasstate.redis.tls.keystore-password}. */
      public void setKeystorePassword(@Nullable String keystorePassword) {
        this.keystorePassword = keystorePassword;
      }

      /** The value of {@code canvasstate.redis.tls.verify-hostname}, if set ({@code REDIS_TLS_VERIFY_HOSTNAME} otherwise). */
      public @Nullable Boolean getVerifyHostname() {
        return verifyHostname;
      }

      /** Sets {@code canvasstate.redis.tls.verify-hostname}. */
      public void setVerifyHostname(@Nullable Boolean verifyHostname) {
        this.verifyHostname = verifyHostname;
      }

    }

  }

  /** Settings under {@code canvasstate.failover}. */
  public static final class Failover {
    /** Settings all unset. */
    public Failover() {}

    /** Failed calls in a row that switch to the fallback. Default 1. Environment variable: CANVASSTATE_FAILOVER_FAILURE_THRESHOLD. */
    private @Nullable Integer failureThreshold;

    /** Successful probes in a row that start the write-back. Default 2. Environment variable: CANVASSTATE_FAILOVER_RECOVERY_THRESHOLD. */
    private @Nullable Integer recoveryThreshold;

    /** How often Redis is probed during an outage. Default 1s. Environment variable: CANVASSTATE_FAILOVER_PROBE_INTERVAL. */
    private @Nullable Duration probeInterval;

    /** Outage changes written back per round trip. Default 100. Environment variable: CANVASSTATE_FAILOVER_BATCH_SIZE. */
    private @Nullable Integer batchSize;

    /** Most outage changes journaled; later ones are dropped and reported. Default 100000. Environment variable: CANVASSTATE_FAILOVER_BUFFER_LIMIT. */
    private @Nullable Integer bufferLimit;

    /** Most entries of the local copy kept while healthy. Default 100000. Environment variable: CANVASSTATE_FAILOVER_LOCAL_COPY_LIMIT. */
    private @Nullable Integer localCopyLimit;

    /** The value of {@code canvasstate.failover.failure-threshold}, if set ({@code CANVASSTATE_FAILOVER_FAILURE_THRESHOLD} otherwise). */
    public @Nullable Integer getFailureThreshold() {
      return failureThreshold;
    }

    /** Sets {@code canvasstate.failover.failure-threshold}. */
    public void setFailureThreshold(@Nullable Integer failureThreshold) {
      this.failureThreshold = failureThreshold;
    }

    /** The value of {@code canvasstate.failover.recovery-threshold}, if set ({@code CANVASSTATE_FAILOVER_RECOVERY_THRESHOLD} otherwise). */
    public @Nullable Integer getRecoveryThreshold() {
      return recoveryThreshold;
    }

    /** Sets {@code canvasstate.failover.recovery-threshold}. */
    public void setRecoveryThreshold(@Nullable Integer recoveryThreshold) {
      this.recoveryThreshold = recoveryThreshold;
    }

    /** The value of {@code canvasstate.failover.probe-interval}, if set ({@code CANVASSTATE_FAILOVER_PROBE_INTERVAL} otherwise). */
    public @Nullable Duration getProbeInterval() {
      return probeInterval;
    }

    /** Sets {@code canvasstate.failover.probe-interval}. */
    public void setProbeInterval(@Nullable Duration probeInterval) {
      this.probeInterval = probeInterval;
    }

    /** The value of {@code canvasstate.failover.batch-size}, if set ({@code CANVASSTATE_FAILOVER_BATCH_SIZE} otherwise). */
    public @Nullable Integer getBatchSize() {
      return batchSize;
    }

    /** Sets {@code canvasstate.failover.batch-size}. */
    public void setBatchSize(@Nullable Integer batchSize) {
      this.batchSize = batchSize;
    }

    /** The value of {@code canvasstate.failover.buffer-limit}, if set ({@code CANVASSTATE_FAILOVER_BUFFER_LIMIT} otherwise). */
    public @Nullable Integer getBufferLimit() {
      return bufferLimit;
    }

    /** Sets {@code canvasstate.failover.buffer-limit}. */
    public void setBufferLimit(@Nullable Integer bufferLimit) {
      this.bufferLimit = bufferLimit;
    }

    /** The value of {@code canvasstate.failover.local-copy-limit}, if set ({@code CANVASSTATE_FAILOVER_LOCAL_COPY_LIMIT} otherwise). */
    public @Nullable Integer getLocalCopyLimit() {
      return localCopyLimit;
    }

    /** Sets {@code canvasstate.failover.local-copy-limit}. */
    public void setLocalCopyLimit(@Nullable Integer localCopyLimit) {
      this.localCopyLimit = localCopyLimit;
    }

  }

  /** Settings under {@code canvasstate.persistence}. */
  public static final class Persistence {
    /** Settings all unset. */
    public Persistence() {}

    /** Start an auto-save worker for each store made with a repository. Default true. */
    private boolean autoSave = true;

    /** How often the auto-save worker saves. Default 5s. Environment variable: CANVASSTATE_SAVE_INTERVAL. */
    private @Nullable Duration saveInterval;

    /** How long a worker's claim on a project lasts. Default 30s. Environment variable: CANVASSTATE_SAVE_LEASE. */
    private @Nullable Duration saveLease;

    /** Most changes per repository save. Default 500. Environment variable: CANVASSTATE_SAVE_BATCH_SIZE. */
    private @Nullable Integer saveBatchSize;

    /** Most projects per save round. Default 1000. Environment variable: CANVASSTATE_SAVE_MAX_PROJECTS. */
    private @Nullable Integer saveMaxProjects;

    /** How long shutdown waits for the last saves. Default 30s. Environment variable: CANVASSTATE_SAVE_CLOSE_TIMEOUT. */
    private @Nullable Duration saveCloseTimeout;

    /** How long one instance's claim to load a cold project lasts. Default 10s. Environment variable: CANVASSTATE_LOAD_LEASE. */
    private @Nullable Duration loadLease;

    /** How long a call waits for another instance's load. Default 30s. Environment variable: CANVASSTATE_LOAD_TIMEOUT. */
    private @Nullable Duration loadTimeout;

    /** The value of {@code canvasstate.persistence.save-interval}, if set ({@code CANVASSTATE_SAVE_INTERVAL} otherwise). */
    public @Nullable Duration getSaveInterval() {
      return saveInterval;
    }

    /** Sets {@code canvasstate.persistence.save-interval}. */
    public void setSaveInterval(@Nullable Duration saveInterval) {
      this.saveInterval = saveInterval;
    }

    /** The value of {@code canvasstate.persistence.save-lease}, if set ({@code CANVASSTATE_SAVE_LEASE} otherwise). */
    public @Nullable Duration getSaveLease() {
      return saveLease;
    }

    /** Sets {@code canvasstate.persistence.save-lease}. */
    public void setSaveLease(@Nullable Duration saveLease) {
      this.saveLease = saveLease;
    }

    /** The value of {@code canvasstate.persistence.save-batch-size}, if set ({@code CANVASSTATE_SAVE_BATCH_SIZE} otherwise). */
    public @Nullable Integer getSaveBatchSize() {
      return saveBatchSize;
    }

    /** Sets {@code canvasstate.persistence.save-batch-size}. */
    public void setSaveBatchSize(@Nullable Integer saveBatchSize) {
      this.saveBatchSize = saveBatchSize;
    }

    /** The value of {@code canvasstate.persistence.save-max-projects}, if set ({@code CANVASSTATE_SAVE_MAX_PROJECTS} otherwise). */
    public @Nullable Integer getSaveMaxProjects() {
      return saveMaxProjects;
    }

    /** Sets {@code canvasstate.persistence.save-max-projects}. */
    public void setSaveMaxProjects(@Nullable Integer saveMaxProjects) {
      this.saveMaxProjects = saveMaxProjects;
    }

    /** The value of {@code canvasstate.persistence.save-close-timeout}, if set ({@code CANVASSTATE_SAVE_CLOSE_TIMEOUT} otherwise). */
    public @Nullable Duration getSaveCloseTimeout() {
      return saveCloseTimeout;
    }

    /** Sets {@code canvasstate.persistence.save-close-timeout}. */
    public void setSaveCloseTimeout(@Nullable Duration saveCloseTimeout) {
      this.saveCloseTimeout = saveCloseTimeout;
    }

    /** The value of {@code canvasstate.persistence.load-lease}, if set ({@code CANVASSTATE_LOAD_LEASE} otherwise). */
    public @Nullable Duration getLoadLease() {
      return loadLease;
    }

    /** Sets {@code canvasstate.persistence.load-lease}. */
    public void setLoadLease(@Nullable Duration loadLease) {
      this.loadLease = loadLease;
    }

    /** The value of {@code canvasstate.persistence.load-timeout}, if set ({@code CANVASSTATE_LOAD_TIMEOUT} otherwise). */
    public @Nullable Duration getLoadTimeout() {
      return loadTimeout;
    }

    /** Sets {@code canvasstate.persistence.load-timeout}. */
    public void setLoadTimeout(@Nullable Duration loadTimeout) {
      this.loadTimeout = loadTimeout;
    }

    /** Whether each store made with a repository gets a started auto-save worker. */
    public boolean isAutoSave() {
      return autoSave;
    }

    /** Sets {@code canvasstate.persistence.auto-save}. */
    public void setAutoSave(boolean autoSave) {
      this.autoSave = autoSave;
    }

  }

  /** Settings under {@code canvasstate.metrics}. */
  public static final class Metrics {
    /** Settings all unset. */
    public Metrics() {}

    /** Publish percentile histograms of the operation timers (a few dozen series each). Default false. */
    private boolean histograms;

    /** Whether the timers publish percentile histograms. */
    public boolean isHistograms() {
      return histograms;
    }

    /** Sets {@code canvasstate.metrics.histograms}. */
    public void setHistograms(boolean histograms) {
      this.histograms = histograms;
    }
  }

  /**
   * The settings these properties set, by the names of their environment variables (Durations
   * in ISO-8601); unset properties are left out.
   */
  Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    put(s, "REDIS_URL", redis.url);
    put(s, "REDIS_CLUSTER_ENDPOINTS", redis.clusterEndpoints);
    put(s, "REDIS_USERNAME", redis.username);
    put(s, "REDIS_PASSWORD", redis.password);
    put(s, "REDIS_CONNECT_TIMEOUT", redis.connectTimeout);
    put(s, "REDIS_TIMEOUT", redis.timeout);
    put(s, "REDIS_POOL_SIZE", redis.poolSize);
    put(s, "REDIS_MAX_ATTEMPTS", redis.maxAttempts);
    put(s, "REDIS_MAX_RETRY_DURATION", redis.maxRetryDuration);
    put(s, "REDIS_SENTINEL_MASTER", redis.sentinel.master);
    put(s, "REDIS_SENTINEL_NODES", redis.sentinel.nodes);
    put(s, "REDIS_SENTINEL_USERNAME", redis.sentinel.username);
    put(s, "REDIS_SENTINEL_PASSWORD", redis.sentinel.password);
    put(s, "REDIS_TLS", redis.tls.enabled);
    put(s, "REDIS_TLS_CA_FILE", redis.tls.caFile);
    put(s, "REDIS_TLS_TRUSTSTORE", redis.tls.truststore);
    put(s, "REDIS_TLS_TRUSTSTORE_PASSWORD", redis.tls.truststorePassword);
    put(s, "REDIS_TLS_CERT_FILE", redis.tls.certFile);
    put(s, "REDIS_TLS_KEY_FILE", redis.tls.keyFile);
    put(s, "REDIS_TLS_KEYSTORE", redis.tls.keystore);
    put(s, "REDIS_TLS_KEYSTORE_PASSWORD", redis.tls.keystorePassword);
    put(s, "REDIS_TLS_VERIFY_HOSTNAME", redis.tls.verifyHostname);
    put(s, "CANVASSTATE_CANVAS_TTL", canvasTtl);
    put(s, "CANVASSTATE_PRESENCE_TTL", presenceTtl);
    put(s, "CANVASSTATE_KEY_PREFIX", keyPrefix);
    put(s, "CANVASSTATE_MAX_VALUE_BYTES", maxValueBytes);
    put(s, "CANVASSTATE_FALLBACK", fallback);
    put(s, "CANVASSTATE_FAILOVER_FAILURE_THRESHOLD", failover.failureThreshold);
    put(s, "CANVASSTATE_FAILOVER_RECOVERY_THRESHOLD", failover.recoveryThreshold);
    put(s, "CANVASSTATE_FAILOVER_PROBE_INTERVAL", failover.probeInterval);
    put(s, "CANVASSTATE_FAILOVER_BATCH_SIZE", failover.batchSize);
    put(s, "CANVASSTATE_FAILOVER_BUFFER_LIMIT", failover.bufferLimit);
    put(s, "CANVASSTATE_FAILOVER_LOCAL_COPY_LIMIT", failover.localCopyLimit);
    put(s, "CANVASSTATE_SAVE_INTERVAL", persistence.saveInterval);
    put(s, "CANVASSTATE_SAVE_LEASE", persistence.saveLease);
    put(s, "CANVASSTATE_SAVE_BATCH_SIZE", persistence.saveBatchSize);
    put(s, "CANVASSTATE_SAVE_MAX_PROJECTS", persistence.saveMaxProjects);
    put(s, "CANVASSTATE_SAVE_CLOSE_TIMEOUT", persistence.saveCloseTimeout);
    put(s, "CANVASSTATE_LOAD_LEASE", persistence.loadLease);
    put(s, "CANVASSTATE_LOAD_TIMEOUT", persistence.loadTimeout);
    return s;
  }

  private static void put(Map<String, String> settings, String name, @Nullable Object value) {
    if (value != null) {
      settings.put(name, value.toString());
    }
  }
  @Override
  public String toString() {
    return "CanvasStateProperties[" + settings().keySet() + " set]";
  }
}
