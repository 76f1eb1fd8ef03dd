package io.canvasstate.examples;

import io.canvasstate.JacksonCodec;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.redis.RedisStores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A canvas server instance with rooms on Redis, for the tests: the server and its bare room
 * store (so that a test can make it die as a killed process would).
 *
 * @param server the server, on a free loopback port
 * @param rooms its room store
 */
record RoomServer(CanvasServer server, RoomPresenceStore<Cursor> rooms) {
  /**
   * Starts one on {@code config} with {@code lease}; adds what the caller must close, in the
   * order to close it, at the front of {@code resources}.
   */
  static RoomServer start(StoreConfig config, RoomConfig lease, String description,
      List<AutoCloseable> resources) throws IOException {
    RedisStores stores = RedisStores.create(config);
    resources.add(0, stores);
    RoomPresenceStore<Cursor> rooms = stores.redisRooms(JacksonCodec.of(Cursor.class), lease);
    CanvasServer server = CanvasServer.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        stores.canvas(JacksonCodec.of(Shape.class)),
        stores.presence(JacksonCodec.of(Cursor.class)), rooms, description);
    resources.add(0, server);
    return new RoomServer(server, rooms);
  }
}
