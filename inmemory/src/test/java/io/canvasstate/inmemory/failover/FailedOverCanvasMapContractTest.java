package io.canvasstate.inmemory.failover;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasMapContract;

/** The asMap contract on a failover store answering from its fallback. */
class FailedOverCanvasMapContractTest extends CanvasMapContract {
  private final ContractStores stores = new ContractStores(true);

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return stores.canvas(codec, ttl, maxValueBytes, this::closeAfterTest);
  }
}
