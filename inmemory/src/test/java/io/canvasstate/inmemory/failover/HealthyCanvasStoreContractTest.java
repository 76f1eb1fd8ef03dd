package io.canvasstate.inmemory.failover;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasStoreContract;
import java.time.Duration;

/** The canvas contract on a healthy failover store: calls go to the primary. */
class HealthyCanvasStoreContractTest extends CanvasStoreContract {
  private final ContractStores stores = new ContractStores(failedOver());

  /** Whether the stores have failed over from the start; a subclass runs that state. */
  boolean failedOver() {
    return false;
  }

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return stores.canvas(codec, ttl, maxValueBytes, this::closeAfterTest);
  }

  @Override
  protected void elapse(Duration duration) {
    stores.clock.advance(duration);
  }

  @Override
  protected void writeEncoded(CanvasStore<?> store, String projectId, String objectId,
      byte[] bytes) {
    stores.writeEncoded(store, projectId, objectId, bytes);
  }
}
