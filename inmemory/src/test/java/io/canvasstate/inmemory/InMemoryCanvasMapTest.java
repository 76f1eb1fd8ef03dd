package io.canvasstate.inmemory;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasMapContract;

/** The asMap contract on the in-memory store. */
class InMemoryCanvasMapTest extends CanvasMapContract {
  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return InMemoryCanvasStore.builder(codec).clock(ManualClock.create()).ttl(ttl)
        .maxValueBytes(maxValueBytes).build();
  }
}
