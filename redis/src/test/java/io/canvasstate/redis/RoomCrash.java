package io.canvasstate.redis;

import io.canvasstate.RoomPresenceStore;

/** For tests in other packages: makes a Redis room store die as a killed process would. */
public final class RoomCrash {
  private RoomCrash() {}

  /**
   * Stops {@code store} without telling Redis: its lease is refreshed no more and stays in
   * Redis until it runs out; its listeners hear nothing more.
   *
   * @throws ClassCastException if it is not a {@link RedisRoomPresenceStore}
   */
  public static void crash(RoomPresenceStore<?> store) {
    ((RedisRoomPresenceStore<?>) store).crash();
  }
}
