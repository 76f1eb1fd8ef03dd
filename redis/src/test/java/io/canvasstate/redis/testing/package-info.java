/**
 * The real-Redis test harness, shipped in the redis module's test-jar for every module's Redis
 * tests: {@link io.canvasstate.redis.testing.RedisServerExtension} gives a test class a server
 * ({@link io.canvasstate.redis.testing.RedisServer}), {@link io.canvasstate.redis.testing.RedisProcess}
 * starts {@code redis-server} processes directly (for clusters and replicas), and
 * {@link io.canvasstate.redis.testing.RoundTripCounter} counts network round trips. The
 * production topologies each have an extension that starts them once per test class:
 * {@link io.canvasstate.redis.testing.RedisClusterExtension} (3 masters, 3 replicas),
 * {@link io.canvasstate.redis.testing.RedisSentinelExtension} (master, replica, 3 sentinels),
 * {@link io.canvasstate.redis.testing.RedisTlsExtension} (TLS-only servers, certificates from
 * {@link io.canvasstate.redis.testing.TlsCertificates}) and
 * {@link io.canvasstate.redis.testing.RedisAclExtension} (a server for ACL users).
 */
@NullMarked
package io.canvasstate.redis.testing;

import org.jspecify.annotations.NullMarked;
