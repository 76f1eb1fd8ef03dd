package io.canvasstate.redis;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.Capability;
import io.canvasstate.contract.CanvasStoreContract;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The canvas contract on a real Redis; lifetimes of 1 s, waited out by sleeping. */
class RedisCanvasStoreContractTest extends CanvasStoreContract {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  final ContractStores stores = new ContractStores(redis);

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    RedisStores redisStores = closeAfterTest(stores.open(ttl, maxValueBytes));
    return stores.track(redisStores.redisCanvas(codec), redisStores);
  }

  @Override
  protected void elapse(Duration duration) {
    ContractStores.sleep(duration);
  }

  @Override
  protected void writeEncoded(CanvasStore<?> store, String projectId, String objectId,
      byte[] bytes) {
    stores.hset(stores.keys(store).objectsKey(projectId), objectId, bytes);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.of(Capability.TYPED_KEYS);
  }

  @Override
  protected void plantWrongType(CanvasStore<?> store, String projectId) {
    String key = stores.keys(store).objectsKey(projectId);
    redis.jedis().del(key);
    stores.set(key, "a string where the hash belongs");
  }
}
