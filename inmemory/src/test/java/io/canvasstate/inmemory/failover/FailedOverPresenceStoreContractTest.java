package io.canvasstate.inmemory.failover;

/**
 * The presence contract on a failover store that has failed over: the fallback answers every call
 * (the primary refuses them all from the start).
 */
class FailedOverPresenceStoreContractTest extends HealthyPresenceStoreContractTest {
  @Override
  boolean failedOver() {
    return true;
  }
}
