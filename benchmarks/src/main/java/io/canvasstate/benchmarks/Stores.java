package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.redis.RedisStores;

/** Where the benchmarks get the library's stores from: the one place to follow API changes. */
final class Stores {
  private Stores() {}

  /** The Redis canvas store on its own, without any decorator. */
  static <T> CanvasStore<T> bareCanvas(RedisStores stores, Codec<T> codec) {
    return stores.redisCanvas(codec);
  }

  /** The Redis presence store on its own, without any decorator. */
  static <P> PresenceStore<P> barePresence(RedisStores stores, Codec<P> codec) {
    return stores.redisPresence(codec);
  }

  /** The Redis room presence store on its own, without any decorator. */
  static <P> RoomPresenceStore<P> bareRooms(RedisStores stores, Codec<P> codec,
      RoomConfig config) {
    return stores.redisRooms(codec, config);
  }

  /** The canvas store an application gets by default: Redis behind the failover decorator. */
  static <T> CanvasStore<T> failoverCanvas(RedisStores stores, Codec<T> codec) {
    if (stores.failover().isEmpty()) {
      throw new IllegalStateException("the fallback is disabled in " + stores.config());
    }
    return stores.canvas(codec);
  }
}
