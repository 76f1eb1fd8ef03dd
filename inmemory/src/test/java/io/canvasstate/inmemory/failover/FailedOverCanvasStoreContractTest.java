package io.canvasstate.inmemory.failover;

/**
 * The canvas contract on a failover store that has failed over: the fallback answers every call
 * (the primary refuses them all from the start).
 */
class FailedOverCanvasStoreContractTest extends HealthyCanvasStoreContractTest {
  @Override
  boolean failedOver() {
    return true;
  }
}
