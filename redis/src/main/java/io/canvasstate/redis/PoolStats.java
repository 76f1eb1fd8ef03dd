package io.canvasstate.redis;

/**
 * A snapshot of the connection pool of one {@link RedisStores}: summed over the pools of every
 * node on a Cluster, zeros before the first call has built the client.
 *
 * @param active connections handed out to calls now
 * @param idle connections waiting in the pool
 * @param waiting calls waiting for a connection
 * @param max the most connections per node ({@code REDIS_POOL_SIZE}) times the nodes
 */
public record PoolStats(int active, int idle, int waiting, int max) {
  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if a component is negative
   */
  public PoolStats {
    if (active < 0 || idle < 0 || waiting < 0 || max < 0) {
      throw new IllegalArgumentException("pool figures must not be negative: active=" + active
          + ", idle=" + idle + ", waiting=" + waiting + ", max=" + max);
    }
  }
}
