package io.canvasstate.redis.deploy;

import io.canvasstate.Codec;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.RoomPresenceStoreContract;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.RoomCrash;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The room contract on a Redis deployment: each store is a {@link RedisStores} of its own on a
 * fresh key prefix, another instance is another {@code RedisStores} on the same prefix, and time
 * passes by sleeping. A deployment's test supplies {@link #configBuilder()}.
 */
public abstract class RedisRoomContract extends RoomPresenceStoreContract {
  private final Map<RoomPresenceStore<String>, Instance> instances = new ConcurrentHashMap<>();

  private record Instance(StoreConfig config, RoomConfig rooms) {}

  /** A configuration of the deployment with a fresh key prefix. */
  protected abstract StoreConfig.Builder configBuilder();

  @Override
  protected RoomPresenceStore<String> newRoomStore(TtlPolicy ttl, RoomConfig config) {
    return open(new Instance(configBuilder().ttl(ttl).build(), config));
  }

  @Override
  protected RoomPresenceStore<String> newInstance(RoomPresenceStore<String> store) {
    return open(instances.get(store));
  }

  private RoomPresenceStore<String> open(Instance instance) {
    RedisStores stores = closeAfterTest(RedisStores.create(instance.config()));
    RoomPresenceStore<String> rooms = stores.redisRooms(Codec.string(), instance.rooms());
    instances.put(rooms, instance);
    return rooms;
  }

  @Override
  protected void crash(RoomPresenceStore<String> store) {
    RoomCrash.crash(store);
  }

  @Override
  protected void elapse(Duration duration) {
    Sleep.atLeast(duration);
  }
}
