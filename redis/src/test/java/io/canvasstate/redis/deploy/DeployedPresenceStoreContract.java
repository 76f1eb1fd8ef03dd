package io.canvasstate.redis.deploy;

import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.PresenceStoreContract;
import java.time.Duration;

/** The presence contract on a {@link TestDeployment}; a deployment's test nests a subclass. */
public abstract class DeployedPresenceStoreContract extends PresenceStoreContract {
  /** The deployment the stores are made on. */
  protected abstract TestDeployment deployment();

  @Override
  protected <P> PresenceStore<P> newPresenceStore(Codec<P> codec, TtlPolicy ttl,
      int maxValueBytes) {
    return deployment().presence(closeAfterTest(deployment().newStores(ttl, maxValueBytes)),
        codec);
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
  protected void writeEncoded(PresenceStore<?> store, String userId, byte[] bytes) {
    deployment().writeEncoded(store, userId, bytes);
  }
}
