package io.canvasstate.inmemory;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasStoreContract;
import io.canvasstate.contract.Capability;
import io.canvasstate.persistence.Persistence;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The canvas contract on the in-memory store with persistence (over an empty repository, with no
 * worker): recording changes and loading cold projects must not change what the store does.
 */
class InMemoryPersistentCanvasStoreTest extends CanvasStoreContract {
  private final ManualClock clock = ManualClock.create();

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    Persistence<T> persistence =
        Persistence.builder(InMemoryCanvasRepository.create(codec)).clock(clock).build();
    return InMemoryCanvasStore.builder(codec, persistence).clock(clock).ttl(ttl)
        .maxValueBytes(maxValueBytes).build();
  }

  @Override
  protected void elapse(Duration duration) {
    clock.advance(duration);
  }

  @Override
  protected void writeEncoded(CanvasStore<?> store, String projectId, String objectId,
      byte[] bytes) {
    ((InMemoryCanvasStore<?>) store).putEncoded(projectId, objectId, bytes);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.of(Capability.DURABLE);
  }
}
