package io.canvasstate.inmemory;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasStoreContract;
import java.time.Duration;

/** The canvas contract through a healthy fault-injecting decorator: it must be transparent. */
class FaultInjectingCanvasStoreContractTest extends CanvasStoreContract {
  private final ManualClock clock = ManualClock.create();

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return new FaultInjectingCanvasStore<>(InMemoryCanvasStore.builder(codec).clock(clock).ttl(ttl)
        .maxValueBytes(maxValueBytes).build(), Faults.create());
  }

  @Override
  protected void elapse(Duration duration) {
    clock.advance(duration);
  }

  @Override
  protected void writeEncoded(CanvasStore<?> store, String projectId, String objectId,
      byte[] bytes) {
    ((InMemoryCanvasStore<?>) ((FaultInjectingCanvasStore<?>) store).delegate())
        .putEncoded(projectId, objectId, bytes);
  }
}
