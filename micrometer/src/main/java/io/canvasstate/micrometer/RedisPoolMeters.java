package io.canvasstate.micrometer;

import io.canvasstate.redis.PoolStats;
import io.canvasstate.redis.RedisStores;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import java.util.function.ToIntFunction;

/**
 * The gauges of a {@link RedisStores}' connection pool; in a class of its own so that the binder
 * loads no Redis class unless it is asked to watch one.
 */
final class RedisPoolMeters {
  private RedisPoolMeters() {}

  static void register(Registries meters, Tags tags, RedisStores stores) {
    gauge(meters, tags.and("state", "active"), stores, "redis.pool.connections",
        PoolStats::active, "pooled Redis connections, by state");
    gauge(meters, tags.and("state", "idle"), stores, "redis.pool.connections",
        PoolStats::idle, "pooled Redis connections, by state");
    gauge(meters, tags, stores, "redis.pool.waiting", PoolStats::waiting,
        "calls waiting for a pooled Redis connection");
    gauge(meters, tags, stores, "redis.pool.max", PoolStats::max,
        "the most pooled connections (per node, times the nodes)");
  }

  private static void gauge(Registries meters, Tags tags, RedisStores stores, String name,
      ToIntFunction<PoolStats> figure, String description) {
    meters.register(r -> Gauge.builder(CanvasStateMetrics.PREFIX + name, stores,
            s -> figure.applyAsInt(s.poolStats()))
        .description(description).tags(tags).register(r));
  }
}
