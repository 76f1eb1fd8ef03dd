package io.canvasstate.redis.deploy;

import io.canvasstate.Codec;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasEventsContract;
import io.canvasstate.contract.PresenceEventsContract;
import io.canvasstate.redis.RedisStores;
import java.time.Duration;

/**
 * The event contracts on a {@link TestDeployment}, across two instances (two
 * {@link RedisStores} on one key prefix); a deployment's test nests subclasses.
 */
public final class DeployedEventsContracts {
  private DeployedEventsContracts() {}

  /** The presence lifetime of the presence event tests: short, so that expiry is real. */
  static final Duration PRESENCE_TTL = Duration.ofSeconds(2);

  /** Two instances' stores on one fresh key prefix of the deployment. */
  private static RedisStores[] twoInstances(TestDeployment deployment) {
    StoreConfig config = deployment.config()
        .ttl(TtlPolicy.DEFAULT.withPresenceTtl(PRESENCE_TTL)).build();
    return new RedisStores[] {RedisStores.create(config), RedisStores.create(config)};
  }

  /** The canvas event contract: observe one instance, write through the other. */
  public abstract static class Canvas extends CanvasEventsContract {
    private RedisStores[] instances;

    /** The deployment the stores are made on. */
    protected abstract TestDeployment deployment();

    @Override
    protected Stores createStores() {
      instances = twoInstances(deployment());
      return new Stores(instances[0].redisCanvas(Codec.string()),
          instances[1].redisCanvas(Codec.string()));
    }

    @Override
    protected void closeStores(Stores stores) {
      super.closeStores(stores);
      instances[0].close();
      instances[1].close();
    }
  }

  /** The presence event contract: observe one instance, write through the other. */
  public abstract static class Presence extends PresenceEventsContract {
    private RedisStores[] instances;

    /** The deployment the stores are made on. */
    protected abstract TestDeployment deployment();

    @Override
    protected Stores createStores() {
      instances = twoInstances(deployment());
      return new Stores(instances[0].redisPresence(Codec.string()),
          instances[1].redisPresence(Codec.string()));
    }

    @Override
    protected void letPresenceExpire() {
      // Real time: the recorder's wait covers the lifetime and a sweep.
    }

    @Override
    protected void closeStores(Stores stores) {
      super.closeStores(stores);
      instances[0].close();
      instances[1].close();
    }
  }
}
