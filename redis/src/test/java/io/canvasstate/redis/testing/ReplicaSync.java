package io.canvasstate.redis.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import redis.clients.jedis.Jedis;

/** Waits for replicas to catch up with their master, for tests that then kill the master. */
final class ReplicaSync {
  private ReplicaSync() {}

  /**
   * Waits (at most 30 s) until every replica's replication offset has reached {@code offset}, the
   * master's offset when the test's writes were done.
   *
   * @throws IllegalStateException if there is no replica
   */
  static void awaitOffset(List<ServerProcess> replicas, long offset,
      Function<ServerProcess, Jedis> connect) {
    if (replicas.isEmpty()) {
      throw new IllegalStateException("the master has no replica");
    }
    for (ServerProcess replica : replicas) {
      await(replica + " reaches replication offset " + offset).atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20)).ignoreExceptions()
          .until(() -> {
            try (Jedis jedis = connect.apply(replica)) {
              return Long.parseLong(RedisClusterExtension.infoSection(jedis.info("replication"))
                  .get("slave_repl_offset")) >= offset;
            }
          });
    }
  }
}
