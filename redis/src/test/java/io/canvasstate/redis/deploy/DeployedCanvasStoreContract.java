package io.canvasstate.redis.deploy;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.Capability;
import io.canvasstate.contract.CanvasStoreContract;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** The canvas contract on a {@link TestDeployment}; a deployment's test nests a subclass. */
public abstract class DeployedCanvasStoreContract extends CanvasStoreContract {
  /** The deployment the stores are made on. */
  protected abstract TestDeployment deployment();

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return deployment().canvas(closeAfterTest(deployment().newStores(ttl, maxValueBytes)), codec);
  }

  /**
   * 1.5 s lifetimes instead of the suite's 1 s: these run against several servers at once, and on
   * a loaded machine a 1 s lifetime can run out during a scheduling stall.
   */
  @Override
  protected TtlPolicy shortTtl() {
    return TestDeployment.SHORT_TTL;
  }

  @Override
  protected void elapse(Duration duration) {
    Sleep.atLeast(duration);
  }

  @Override
  protected void writeEncoded(CanvasStore<?> store, String projectId, String objectId,
      byte[] bytes) {
    deployment().writeEncoded(store, projectId, objectId, bytes);
  }

  @Override
  protected void plantWrongType(CanvasStore<?> store, String projectId) {
    deployment().plantWrongType(store, projectId);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.of(Capability.TYPED_KEYS);
  }
}
