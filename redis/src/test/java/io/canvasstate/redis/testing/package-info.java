/**
 * The real-Redis test harness, shipped in the redis module's test-jar for every module's Redis
 * tests: {@link io.canvasstate.redis.testing.RedisServerExtension} gives a test class a server
 * ({@link io.canvasstate.redis.testing.RedisServer}), {@link io.canvasstate.redis.testing.RedisProcess}
 * starts {@code redis-server} processes directly (for clusters and replicas), and
 * {@link io.canvasstate.redis.testing.RoundTripCounter} counts network round trips.
 */
@NullMarked
package io.canvasstate.redis.testing;

import org.jspecify.annotations.NullMarked;
