package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.redis.RedisStores;

/** Where the benchmarks get the library's stores from: the one place to follow API changes. */
final class Stores {
  private Stores() {}

  /** The Redis canvas store on its own, without any decorator. */
  static <T> CanvasStore<T> bareCanvas(RedisStores stores, Codec<T> codec) {
    return stores.canvas(codec);
  }

  /** The Redis presence store on its own, without any decorator. */
  static <P> PresenceStore<P> barePresence(RedisStores stores, Codec<P> codec) {
    return stores.presence(codec);
  }
}
