package io.canvasstate.redis;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasMapContract;
import io.canvasstate.redis.testing.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code ConcurrentMap} contract of {@code asMap} on a real Redis. */
class RedisCanvasMapContractTest extends CanvasMapContract {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  final ContractStores stores = new ContractStores(redis);

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return closeAfterTest(stores.open(ttl, maxValueBytes)).redisCanvas(codec);
  }
}
