package io.canvasstate.redis;

import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.PresenceStoreContract;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The presence contract on a real Redis; lifetimes of 1 s, waited out by sleeping. */
class RedisPresenceStoreContractTest extends PresenceStoreContract {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  final ContractStores stores = new ContractStores(redis);

  @Override
  protected <P> PresenceStore<P> newPresenceStore(Codec<P> codec, TtlPolicy ttl, int maxValueBytes) {
    RedisStores redisStores = closeAfterTest(stores.open(ttl, maxValueBytes));
    return stores.track(redisStores.redisPresence(codec), redisStores);
  }

  @Override
  protected void elapse(Duration duration) {
    ContractStores.sleep(duration);
  }

  @Override
  protected void writeEncoded(PresenceStore<?> store, String userId, byte[] bytes) {
    stores.hset(stores.keys(store).presenceKey(), userId, bytes);
  }
}
