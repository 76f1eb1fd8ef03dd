package io.canvasstate.benchmarks;

import io.canvasstate.PresenceStore;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomConnection;
import io.canvasstate.RoomPresenceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Presence per room against today's global presence, with the Jackson codec: 10,000 users, one
 * room of {@code n} of them (10, 100 or 1,000) and the others in rooms of about 100, in both
 * stores.
 *
 * <ul>
 *   <li>list: {@code RedisRoomPresenceStore.list} of the room (a pipeline: the prune script,
 *       {@code HGETALL} of the room); the global store's {@code getAll} of every user, filtered
 *       by project, as the canvas server did.
 *   <li>heartbeat: {@code RedisRoomPresenceStore.heartbeat} of a connection of the room; the
 *       global store's {@code put} of the same user.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RoomsBench extends RedisBench {
  static final int USERS = 10_000;
  static final int OTHER_ROOM_SIZE = 100;
  static final String ROOM = "room-0";

  @Param({"10", "100", "1000"})
  public int n;

  private PresenceStore<Cursor> global;
  private RoomPresenceStore<Cursor> rooms;
  private Cursor[] inRoom = new Cursor[0];
  private Cycle cycle = new Cycle(1);

  @Setup(Level.Trial)
  public void setUp() {
    List<Cursor> all = Data.cursors(USERS);
    List<Cursor> placed = new ArrayList<>(USERS);
    for (int i = 0; i < USERS; i++) {
      Cursor c = all.get(i);
      String room = i < n ? ROOM : "room-" + (1 + (i - n) / OTHER_ROOM_SIZE);
      placed.add(new Cursor(c.userId(), c.name(), c.color(), room, c.x(), c.y(), c.tool(),
          c.lastSeen()));
    }
    inRoom = placed.subList(0, n).toArray(Cursor[]::new);
    cycle = new Cycle(n);
    jedis().del(Env.bytes(Env.SCHEMA.presenceKey()), Env.bytes(Env.SCHEMA.activeUsersKey()));
    for (int r = 0; r <= USERS / OTHER_ROOM_SIZE + 1; r++) {
      for (String suffix : List.of("connections", "ends", "index")) {
        jedis().del(Env.SCHEMA.roomKey("room-" + r, suffix));
      }
    }
    global = Stores.barePresence(stores(), Data.CURSORS);
    rooms = Stores.bareRooms(stores(), Data.CURSORS, RoomConfig.DEFAULT);
    for (Cursor c : placed) {
      global.put(c.userId(), c);
      rooms.heartbeat(c.projectId(), c.userId(), "tab-1", c);
    }
  }

  @Benchmark
  public List<RoomConnection<Cursor>> roomListLibrary() {
    return rooms.list(ROOM);
  }

  @Benchmark
  public Map<String, Cursor> roomListGlobalFiltered() {
    Map<String, Cursor> here = new java.util.HashMap<>();
    global.getAll().forEach((user, cursor) -> {
      if (cursor.projectId().equals(ROOM)) {
        here.put(user, cursor);
      }
    });
    return here;
  }

  @Benchmark
  public void roomHeartbeatLibrary() {
    Cursor c = inRoom[cycle.next()];
    rooms.heartbeat(ROOM, c.userId(), "tab-1", c);
  }

  @Benchmark
  public void roomHeartbeatGlobal() {
    Cursor c = inRoom[cycle.next()];
    global.put(c.userId(), c);
  }
}
