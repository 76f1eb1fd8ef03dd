package io.canvasstate.examples;

import io.canvasstate.StoreConfig;
import io.canvasstate.redis.RedisAcl;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The configuration of each deployment the README's "Deployments" section shows, built in code.
 * Each has the same effect as the environment variables shown next to it there; an application
 * that reads {@link StoreConfig#fromEnv()} needs no code at all. Stateless.
 */
public final class DeploymentConfigs {
  private DeploymentConfigs() {}

  /** One server: {@code REDIS_URL=redis://redis.internal:6379/0}. */
  public static StoreConfig standalone() {
    return StoreConfig.builder().redisUrl("redis://redis.internal:6379/0").build();
  }

  /** Redis Cluster: {@code REDIS_CLUSTER_ENDPOINTS=10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379}. */
  public static StoreConfig cluster() {
    return StoreConfig.builder()
        .clusterEndpoints("10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379")
        .build();
  }

  /** Sentinel, with passwords on the data nodes and on the sentinels. */
  public static StoreConfig sentinel(String redisPassword, String sentinelPassword) {
    return StoreConfig.builder()
        .sentinelMaster("canvas-master")
        .sentinelNodes("sentinel-1:26379,sentinel-2:26379,sentinel-3:26379")
        .password(redisPassword)
        .sentinelPassword(sentinelPassword)
        .build();
  }

  /** TLS, trusting a private CA, with a client certificate for servers that require one. */
  public static StoreConfig mutualTls() {
    return StoreConfig.builder()
        .redisUrl("rediss://redis.internal:6380")
        .tlsCaFile(Path.of("/etc/canvasstate/redis-ca.pem"))
        .tlsClientCertificate(Path.of("/etc/canvasstate/client.pem"),
            Path.of("/etc/canvasstate/client.key"))
        .build();
  }

  /** An ACL user limited to the {@code myapp:} keys, created with {@link #aclSetUser}. */
  public static StoreConfig aclUser(String password) {
    return StoreConfig.builder()
        .redisUrl("redis://redis.internal:6379")
        .username("canvasstate")
        .password(password)
        .keyPrefix("myapp:")
        .build();
  }

  /** The command an administrator runs (with the real password) to create that user. */
  public static String aclSetUser() {
    return "ACL SETUSER canvasstate on >CHANGE-ME " + RedisAcl.rules("myapp:");
  }

  /** Pool, timeouts and retries, set explicitly to values other than the defaults. */
  public static StoreConfig tuned() {
    return StoreConfig.builder()
        .redisUrl("redis://redis.internal:6379")
        .poolSize(32)
        .connectTimeout(Duration.ofSeconds(1))
        .timeout(Duration.ofMillis(500))
        .maxAttempts(5)
        .maxRetryDuration(Duration.ofSeconds(3))
        .build();
  }
}
