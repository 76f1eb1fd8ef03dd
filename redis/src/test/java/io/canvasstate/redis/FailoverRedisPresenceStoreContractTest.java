package io.canvasstate.redis;

import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.TtlPolicy;
import org.junit.jupiter.api.AfterEach;

/**
 * The presence contract on the failover-wrapped store {@link RedisStores#presence} hands out by
 * default, healthy over a real Redis. Each test checks that the store never left Redis.
 */
class FailoverRedisPresenceStoreContractTest extends RedisPresenceStoreContractTest {
  @Override
  protected <P> PresenceStore<P> newPresenceStore(
      Codec<P> codec, TtlPolicy ttl, int maxValueBytes) {
    RedisStores redisStores = closeAfterTest(stores.open(ttl, maxValueBytes));
    return stores.track(redisStores.presence(codec), redisStores);
  }

  @AfterEach
  void neverFailedOver() {
    stores.assertNeverFailedOver();
  }
}
