package io.canvasstate.redis;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.Capability;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.Persistence;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canvas contract on a real Redis with persistence (over an empty repository, with no
 * worker): the persistence versions of the scripts must not change what the store does.
 */
class RedisPersistentCanvasStoreContractTest extends RedisCanvasStoreContractTest {
  @TempDir
  static Path files;

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    RedisStores redisStores = closeAfterTest(stores.open(ttl, maxValueBytes));
    Persistence<T> persistence =
        Persistence.builder(JsonFileCanvasRepository.open(files, codec)).build();
    return stores.track(redisStores.redisCanvas(codec, persistence), redisStores);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.of(Capability.TYPED_KEYS, Capability.DURABLE);
  }
}
