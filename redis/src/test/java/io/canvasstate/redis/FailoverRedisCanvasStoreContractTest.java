package io.canvasstate.redis;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import org.junit.jupiter.api.AfterEach;

/**
 * The canvas contract on the failover-wrapped store {@link RedisStores#canvas} hands out by
 * default, healthy over a real Redis (the failed-over state runs the contract in the inmemory
 * module's tests). Each test checks that the store never left Redis.
 */
class FailoverRedisCanvasStoreContractTest extends RedisCanvasStoreContractTest {
  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    RedisStores redisStores = closeAfterTest(stores.open(ttl, maxValueBytes));
    return stores.track(redisStores.canvas(codec), redisStores);
  }

  @AfterEach
  void neverFailedOver() {
    stores.assertNeverFailedOver();
  }
}
