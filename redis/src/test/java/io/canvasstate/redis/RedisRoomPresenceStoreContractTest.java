package io.canvasstate.redis;

import io.canvasstate.StoreConfig;
import io.canvasstate.redis.deploy.RedisRoomContract;
import io.canvasstate.redis.testing.RedisServerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The room contract on a real Redis server; lifetimes and leases of 1.5 s, waited out. */
class RedisRoomPresenceStoreContractTest extends RedisRoomContract {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  @Override
  protected StoreConfig.Builder configBuilder() {
    return redis.configBuilder();
  }
}
