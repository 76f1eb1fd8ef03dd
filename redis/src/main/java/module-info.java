/**
 * CanvasState on Redis: the Jedis-backed stores and {@link io.canvasstate.redis.RedisStores},
 * the factory that builds them from a {@link io.canvasstate.StoreConfig}.
 *
 * <p>No Jedis type appears in the exported API.
 */
module io.canvasstate.redis {
  requires transitive io.canvasstate;
  requires io.canvasstate.inmemory;
  requires redis.clients.jedis;
  requires org.slf4j;
  requires static org.jspecify;

  exports io.canvasstate.redis;
}
