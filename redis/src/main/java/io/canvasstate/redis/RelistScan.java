package io.canvasstate.redis;

import io.canvasstate.KeySchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Finds every project's dirty hash with {@code SCAN} (on every node of a Cluster), in steps of
 * {@link #COUNT} keys, for {@link RedisChangeLog#relist()}. Stateless.
 */
final class RelistScan {
  private static final Logger LOG = LoggerFactory.getLogger(RelistScan.class);
  /** Keys each {@code SCAN} call looks at: bounded work per call. */
  static final int COUNT = 1000;

  private RelistScan() {}

  /** The {@code SCAN MATCH} pattern of the dirty hashes, with the prefix's glob characters escaped. */
  static String pattern(KeySchema schema) {
    StringBuilder p = new StringBuilder();
    for (char c : schema.prefix().toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        p.append('\\');
      }
      p.append(c);
    }
    return p.append("canvas:{*}:dirty").toString();
  }

  /** The project of a dirty hash's key, or null if the key is not one a store wrote. */
  static @Nullable String projectId(KeySchema schema, String key) {
    String head = schema.prefix() + "canvas:{";
    String tail = "}:dirty";
    if (!key.startsWith(head) || !key.endsWith(tail) || key.length() < head.length() + tail.length()) {
      return null;
    }
    String id = key.substring(head.length(), key.length() - tail.length());
    try {
      return KeySchema.requireValidId("projectId", id);
    } catch (IllegalArgumentException notOurs) {
      return null;
    }
  }

  /**
   * The keys of the dirty hashes, in batches of at most {@link #COUNT}. On a Cluster every node
   * is scanned (a key found on a replica too is harmless: listing is idempotent); a node that
   * cannot be reached is skipped (its slots are served by another node, or the next
   * reconciliation finds them).
   *
   * @throws io.canvasstate.StoreException if the server (of a single-server deployment) fails
   */
  static List<List<String>> dirtyHashes(RedisBackend backend, String pattern) {
    List<List<String>> batches = new ArrayList<>();
    UnifiedJedis client;
    try {
      client = backend.client();
    } catch (RuntimeException e) {
      throw backend.map("relist", pattern, e);
    }
    ScanParams params = new ScanParams().match(pattern).count(COUNT);
    if (client instanceof RedisClusterClient cluster) {
      for (Map.Entry<String, ConnectionPool> node : cluster.getClusterNodes().entrySet()) {
        try (Connection c = node.getValue().getResource()) {
          scan(new Jedis(c)::scan, params, batches);
        } catch (RuntimeException e) {
          LOG.debug("Cannot scan Cluster node {} for unlisted dirty projects: {}", node.getKey(),
              e.toString());
        }
      }
      return batches;
    }
    try {
      scan(client::scan, params, batches);
    } catch (RuntimeException e) {
      throw backend.map("relist", pattern, e);
    }
    return batches;
  }

  @FunctionalInterface
  private interface Scanner {
    ScanResult<String> scan(String cursor, ScanParams params, String type);
  }

  private static void scan(Scanner scanner, ScanParams params, List<List<String>> batches) {
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = scanner.scan(cursor, params, "hash");
      if (!page.getResult().isEmpty()) {
        batches.add(List.copyOf(page.getResult()));
      }
      cursor = page.getCursor();
    } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
  }
}
