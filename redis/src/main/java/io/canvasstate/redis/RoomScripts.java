package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The Lua scripts of {@link RedisRoomPresenceStore}, read from the {@code .lua} resources in
 * {@code io/canvasstate/redis/rooms/}: each room script is {@code common.lua} (Redis' clock, the
 * event, dropping a connection, pruning what ended) followed by its own file.
 */
final class RoomScripts {
  private RoomScripts() {}

  private static final String COMMON = read("common.lua");

  /** A heartbeat: prunes, writes the connection, its end, its owner and the owner's lease. */
  static final Script HEARTBEAT = room("heartbeat");
  /** Removes a connection after pruning. */
  static final Script LEAVE = room("leave");
  /** Prunes what ended; sent before every read, and by the sweep. */
  static final Script PRUNE = room("prune");
  /** Refreshes an owner's lease in one room (no common part: one key, no events). */
  static final Script LEASE = Script.of("roomLease", read("lease.lua"));

  private static Script room(String name) {
    return Script.of("room" + Character.toUpperCase(name.charAt(0)) + name.substring(1),
        COMMON + "\n" + read(name + ".lua"));
  }

  /** The text of a resource of {@code rooms/}. */
  static String read(String file) {
    String path = "rooms/" + file;
    try (InputStream in = RoomScripts.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path + " next to "
            + RoomScripts.class.getName());
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + path, e);
    }
  }
}
