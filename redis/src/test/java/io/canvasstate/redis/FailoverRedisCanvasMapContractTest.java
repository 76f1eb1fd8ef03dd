package io.canvasstate.redis;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import org.junit.jupiter.api.AfterEach;

/** The {@code asMap} contract on the failover-wrapped canvas store, healthy over a real Redis. */
class FailoverRedisCanvasMapContractTest extends RedisCanvasMapContractTest {
  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return closeAfterTest(stores.open(ttl, maxValueBytes)).canvas(codec);
  }

  @AfterEach
  void neverFailedOver() {
    stores.assertNeverFailedOver();
  }
}
