/**
 * The Redis stores: {@link io.canvasstate.redis.RedisStores} owns the connection pool (standalone,
 * Cluster or Sentinel, with TLS and ACL users) and hands out
 * {@link io.canvasstate.redis.RedisCanvasStore} and {@link io.canvasstate.redis.RedisPresenceStore}.
 *
 * <p>Values are plain JSON in the keys that {@link io.canvasstate.KeySchema} lists; every
 * single-object operation is one atomic Lua script or one pipeline, so one network round trip.
 */
@NullMarked
package io.canvasstate.redis;

import org.jspecify.annotations.NullMarked;
