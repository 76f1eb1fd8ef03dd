package io.canvasstate.inmemory.failover;

import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.PresenceStoreContract;
import java.time.Duration;

/** The presence contract on a healthy failover store: calls go to the primary. */
class HealthyPresenceStoreContractTest extends PresenceStoreContract {
  private final ContractStores stores = new ContractStores(failedOver());

  /** Whether the stores have failed over from the start; a subclass runs that state. */
  boolean failedOver() {
    return false;
  }

  @Override
  protected <P> PresenceStore<P> newPresenceStore(Codec<P> codec, TtlPolicy ttl,
      int maxValueBytes) {
    return stores.presence(codec, ttl, maxValueBytes, this::closeAfterTest);
  }

  @Override
  protected void elapse(Duration duration) {
    stores.clock.advance(duration);
  }

  @Override
  protected void writeEncoded(PresenceStore<?> store, String userId, byte[] bytes) {
    stores.writeEncoded(store, userId, bytes);
  }
}
