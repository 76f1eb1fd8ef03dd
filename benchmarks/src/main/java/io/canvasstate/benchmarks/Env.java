package io.canvasstate.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.canvasstate.KeySchema;
import io.canvasstate.StoreConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * The Redis a benchmark fork talks to, and the data it plants there. Every key starts with
 * {@link #PREFIX}; nothing else in the server is read or changed. Stateless.
 */
final class Env {
  /** The system property the suite hands each JMH fork: the Redis URL. */
  static final String REDIS_PROPERTY = "canvasstate.bench.redis";
  static final String PREFIX = "canvasstate-bench:";
  static final KeySchema SCHEMA = KeySchema.withPrefix(PREFIX);
  static final Duration CANVAS_TTL = Duration.ofHours(1);
  static final Duration PRESENCE_TTL = Duration.ofMinutes(5);
  /** Connections in the library's pool and in the raw baseline client's: the same. */
  static final int POOL_SIZE = StoreConfig.DEFAULT_POOL_SIZE;

  private Env() {}

  static String redisUrl() {
    String url = System.getProperty(REDIS_PROPERTY, System.getenv("REDIS_URL"));
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("no Redis to benchmark: run the suite (java -jar"
          + " benchmarks.jar), which passes -D" + REDIS_PROPERTY + ", or set REDIS_URL");
    }
    return url;
  }

  /** The library's configuration: defaults, but this server and the benchmark key prefix. */
  static StoreConfig config() {
    return StoreConfig.builder().redisUrl(redisUrl()).keyPrefix(PREFIX).build();
  }

  /**
   * A raw Jedis client set up as the library's is (a pool of {@link #POOL_SIZE}, RESP2, the
   * same timeouts): the baselines' client.
   */
  static UnifiedJedis rawClient() {
    return rawClient(config().timeout());
  }

  /** {@link #rawClient()}, waiting up to {@code timeout} for a reply. */
  static UnifiedJedis rawClient(java.time.Duration timeout) {
    URI url = URI.create(redisUrl());
    StoreConfig config = config().toBuilder().timeout(timeout).build();
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(POOL_SIZE);
    pool.setMaxIdle(POOL_SIZE);
    pool.setMinIdle(0);
    pool.setMaxWait(config.timeout());
    pool.setJmxEnabled(false);
    return RedisClient.builder()
        .hostAndPort(new HostAndPort(url.getHost(), url.getPort()))
        .clientConfig(DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis((int) config.connectTimeout().toMillis())
            .socketTimeoutMillis((int) config.timeout().toMillis())
            .protocol(RedisProtocol.RESP2)
            .clientName("canvasstate-bench-raw")
            .build())
        .poolConfig(pool)
        .build();
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** The library's hash of a project. */
  static byte[] objectsKey(String projectId) {
    return bytes(SCHEMA.objectsKey(projectId));
  }

  /** The original backend's SET of a project's object ids. */
  static byte[] originalIdsKey(String projectId) {
    return bytes(PREFIX + "orig:{" + projectId + "}:ids");
  }

  /** The original backend's string key of one object. */
  static byte[] originalObjectKey(String projectId, String objectId) {
    return bytes(PREFIX + "orig:{" + projectId + "}:obj:" + objectId);
  }

  /**
   * Writes a project in both layouts, replacing what was there: the library's hash and the
   * original backend's id SET plus one string per object, all with the canvas TTL.
   */
  static void plantProject(UnifiedJedis jedis, String projectId, List<String> ids,
      List<String> json) {
    byte[] hash = objectsKey(projectId);
    byte[] idSet = originalIdsKey(projectId);
    List<byte[]> oldObjects = new ArrayList<>();
    for (byte[] id : jedis.smembers(idSet)) {
      oldObjects.add(originalObjectKey(projectId, new String(id, UTF_8)));
    }
    long ttl = CANVAS_TTL.toMillis();
    try (AbstractPipeline p = jedis.pipelined()) {
      p.del(hash);
      p.del(idSet);
      for (byte[] k : oldObjects) {
        p.del(k);
      }
      for (int i = 0; i < ids.size(); i++) {
        byte[] id = bytes(ids.get(i));
        byte[] value = bytes(json.get(i));
        p.hset(hash, id, value);
        p.sadd(idSet, id);
        p.set(originalObjectKey(projectId, ids.get(i)), value, SetParams.setParams().px(ttl));
      }
      p.pexpire(hash, ttl);
      p.pexpire(idSet, ttl);
      p.sync();
    }
  }
}
