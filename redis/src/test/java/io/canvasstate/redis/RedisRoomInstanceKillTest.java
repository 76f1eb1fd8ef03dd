package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.Codec;
import io.canvasstate.PresenceEvent.Left.Reason;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomConnection;
import io.canvasstate.RoomEvent;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.EventRecorder;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two application instances in separate JVMs on one Redis; one is killed with SIGKILL, and its
 * connections leave the other's room listing and event stream within the lease.
 */
class RedisRoomInstanceKillTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  static final Duration LEASE = Duration.ofSeconds(2);
  static final RoomConfig ROOMS = RoomConfig.builder().lease(LEASE)
      .sweepInterval(Duration.ofMillis(200)).build();
  /** Scheduling on a loaded 2-core machine: what the bound allows beyond the lease. */
  static final Duration SLACK = Duration.ofSeconds(2);

  @Test
  void instanceKilled_sigkill_itsConnectionsLeaveTheOtherInstanceWithinTheLease() throws Exception {
    StoreConfig config = redis.configBuilder().fallbackEnabled(false).build();
    String room = "kill-" + System.nanoTime();
    EventRecorder<RoomEvent<String>> heard = new EventRecorder<>();
    try (RedisStores reader = RedisStores.create(config);
        RedisStores listener = RedisStores.create(config);
        RoomPresenceStore<String> readerRooms = reader.rooms(Codec.string(), ROOMS);
        RoomPresenceStore<String> listenerRooms = listener.rooms(Codec.string(), ROOMS)) {
      readerRooms.heartbeat(room, "bob", "tab1", "{\"x\":0}");
      listenerRooms.subscribe(room, heard::add);
      Process other = start(config, room);
      try {
        await().atMost(Duration.ofSeconds(60)).until(
            () -> connections(readerRooms.list(room)).size() == 4);
        assertThat(connections(readerRooms.list(room)))
            .containsExactly("bob/tab1", "carol/tab1", "carol/tab2", "dave/tab1");

        long killed = System.nanoTime();
        other.destroyForcibly();
        assertThat(other.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(137);

        await().atMost(LEASE.plus(SLACK).plusSeconds(10)).pollInterval(Duration.ofMillis(20))
            .until(() -> readerRooms.list(room).size() == 1);
        Duration listing = Duration.ofNanos(System.nanoTime() - killed);
        heard.awaitMatch(e -> lefts(heard.events()) == 3);
        Duration events = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("Room lease %d ms: the killed instance's connections left the other"
            + " instance's listing %d ms and its event stream %d ms after SIGKILL%n",
            LEASE.toMillis(), listing.toMillis(), events.toMillis());

        assertThat(connections(readerRooms.list(room))).containsExactly("bob/tab1");
        assertThat(readerRooms.count(room)).isEqualTo(1);
        assertThat(heard.events()).filteredOn(e -> e instanceof RoomEvent.Left<String>)
            .map(e -> (RoomEvent.Left<String>) e)
            .allSatisfy(left -> assertThat(left.reason()).isEqualTo(Reason.EXPIRED))
            .extracting(left -> left.userId() + "/" + left.connectionId() + "/" + left.userLeft())
            .containsExactlyInAnyOrder("carol/tab1/false", "carol/tab2/true", "dave/tab1/true");
        assertThat(listing).isLessThanOrEqualTo(LEASE.plus(SLACK));
        assertThat(events).isLessThanOrEqualTo(LEASE.plus(ROOMS.sweepInterval()).plus(SLACK));
      } finally {
        other.destroyForcibly();
      }
    }
  }

  private static long lefts(List<RoomEvent<String>> events) {
    return events.stream().filter(e -> e instanceof RoomEvent.Left<String> l
        && Set.of("carol", "dave").contains(l.userId())).count();
  }

  private static List<String> connections(List<RoomConnection<String>> list) {
    return list.stream().map(c -> c.userId() + "/" + c.connectionId()).toList();
  }

  /** Starts {@link RoomInstanceProcess} in a JVM of its own and waits for it to be in the room. */
  private static Process start(StoreConfig config, String room) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        RoomInstanceProcess.class.getName(), room)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("REDIS_URL", redis.url());
    builder.environment().put("CANVASSTATE_KEY_PREFIX", config.keySchema().prefix());
    builder.environment().put("CANVASSTATE_FALLBACK", "false");
    builder.environment().put("CANVASSTATE_ROOM_LEASE", LEASE.toMillis() + "ms");
    builder.environment().remove("REDIS_CLUSTER_ENDPOINTS");
    builder.environment().remove("REDIS_SENTINEL_MASTER");
    Process process = builder.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("READY")) {
      process.destroyForcibly();
      throw new AssertionError("the other instance did not start: " + line);
    }
    return process;
  }
}
