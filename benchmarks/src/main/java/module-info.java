/**
 * CanvasState benchmarks: JMH benchmarks of the stores, each beside its raw baseline, and
 * {@link io.canvasstate.benchmarks.Suite}, which runs them and prints the ratio table.
 *
 * <p>An application, not a library: it exports nothing.
 */
module io.canvasstate.benchmarks {
  requires io.canvasstate;
  requires io.canvasstate.inmemory;
  requires io.canvasstate.redis;
  requires io.canvasstate.jdbc;
  requires io.canvasstate.dynamodb;
  requires org.postgresql.jdbc;
  requires java.naming;
  requires io.canvasstate.micrometer;
  requires micrometer.core;
  requires redis.clients.jedis;
  requires jmh.core;
  requires java.management;
  requires static org.jspecify;
}
