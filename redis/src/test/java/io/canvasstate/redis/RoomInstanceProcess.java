package io.canvasstate.redis;

import io.canvasstate.Codec;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomPresenceStore;

/**
 * A second application instance for {@link RedisRoomInstanceKillTest}, run in a JVM of its own:
 * configured from the environment ({@code REDIS_URL}, {@code CANVASSTATE_KEY_PREFIX},
 * {@code CANVASSTATE_ROOM_LEASE}), it heartbeats two tabs of one user and one tab of another in
 * the room named by its argument every 200 ms, printing {@code READY} once they are in. It stops
 * by itself after a minute; the test kills it long before.
 */
public final class RoomInstanceProcess {
  private RoomInstanceProcess() {}

  /** Runs the instance; {@code args[0]} is the room. */
  public static void main(String[] args) throws InterruptedException {
    String room = args[0];
    try (RedisStores stores = RedisStores.fromEnv();
        RoomPresenceStore<String> rooms = stores.rooms(Codec.string(), RoomConfig.fromEnv())) {
      long end = System.nanoTime() + 60_000_000_000L;
      boolean ready = false;
      while (System.nanoTime() < end) {
        rooms.heartbeat(room, "carol", "tab1", "{\"x\":1}");
        rooms.heartbeat(room, "carol", "tab2", "{\"x\":2}");
        rooms.heartbeat(room, "dave", "tab1", "{\"x\":3}");
        if (!ready) {
          System.out.println("READY " + rooms.instanceId());
          System.out.flush();
          ready = true;
        }
        Thread.sleep(200);
      }
    }
  }
}
