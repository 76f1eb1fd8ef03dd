/**
 * CanvasState for Micrometer: {@link io.canvasstate.micrometer.CanvasStateMetrics}, the meter
 * binder of stores, failover, persistence, events and the Redis connection pool.
 */
module io.canvasstate.micrometer {
  requires transitive io.canvasstate;
  requires transitive micrometer.core;
  requires static transitive io.canvasstate.redis;
  requires static org.jspecify;

  exports io.canvasstate.micrometer;
}
