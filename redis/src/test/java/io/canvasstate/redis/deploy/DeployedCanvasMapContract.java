package io.canvasstate.redis.deploy;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasMapContract;

/** The asMap contract on a {@link TestDeployment}; a deployment's test nests a subclass. */
public abstract class DeployedCanvasMapContract extends CanvasMapContract {
  /** The deployment the stores are made on. */
  protected abstract TestDeployment deployment();

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return deployment().canvas(closeAfterTest(deployment().newStores(ttl, maxValueBytes)), codec);
  }
}
