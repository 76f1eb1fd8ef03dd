package io.canvasstate.inmemory;

import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.PresenceStoreContract;
import java.time.Duration;

/** The presence contract through a healthy fault-injecting decorator: it must be transparent. */
class FaultInjectingPresenceStoreContractTest extends PresenceStoreContract {
  private final ManualClock clock = ManualClock.create();

  @Override
  protected <P> PresenceStore<P> newPresenceStore(Codec<P> codec, TtlPolicy ttl,
      int maxValueBytes) {
    return new FaultInjectingPresenceStore<>(InMemoryPresenceStore.builder(codec).clock(clock)
        .ttl(ttl).maxValueBytes(maxValueBytes).build(), Faults.create());
  }

  @Override
  protected void elapse(Duration duration) {
    clock.advance(duration);
  }

  @Override
  protected void writeEncoded(PresenceStore<?> store, String userId, byte[] bytes) {
    ((InMemoryPresenceStore<?>) ((FaultInjectingPresenceStore<?>) store).delegate())
        .putEncoded(userId, bytes);
  }
}
