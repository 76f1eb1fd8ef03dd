package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.ResyncReason;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomConnection;
import io.canvasstate.RoomEvent;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.EventRecorder;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rooms through a Redis outage: served from memory (this instance's connections), written back
 * when Redis returns, and a resync for listeners after the switch back.
 */
class FailoverRedisRoomsTest {
  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.controllable().withAppendFsyncAlways();

  static final Duration TIMEOUT = Duration.ofMillis(300);
  static final FailoverConfig FAST_PROBES =
      FailoverConfig.builder().probeInterval(Duration.ofMillis(50)).build();
  static final RoomConfig ROOMS = RoomConfig.builder().lease(Duration.ofSeconds(5))
      .sweepInterval(Duration.ofMillis(100)).build();

  @Test
  void sigkill_redisRestarted_roomsServedFromMemoryThenWrittenBack() {
    StoreConfig config = redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
    KeySchema keys = config.keySchema();
    EventRecorder<RoomEvent<String>> events = new EventRecorder<>();
    try (RedisStores stores = RedisStores.create(config, FAST_PROBES);
        RoomPresenceStore<String> rooms = stores.rooms(Codec.string(), ROOMS)) {
      FailoverStore failover = stores.failover().orElseThrow();
      rooms.heartbeat("canvas", "alice", "tab1", "{\"x\":1}");
      rooms.heartbeat("canvas", "bob", "tab1", "{\"x\":2}");
      rooms.subscribe("canvas", events::add);

      redis.kill();
      assertThat(rooms.list("canvas")).as("this instance's connections, from memory")
          .extracting(RoomConnection::userId).containsExactly("alice", "bob");
      rooms.heartbeat("canvas", "alice", "tab2", "{\"x\":3}");
      assertThat(rooms.leave("canvas", "bob", "tab1")).isTrue();
      assertThat(failover.state()).isEqualTo(FailoverState.FAILED_OVER);
      assertThat(rooms.count("canvas")).isEqualTo(1);
      assertThat(rooms.get("canvas", "alice")).containsOnlyKeys("tab1", "tab2");

      redis.restart();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> failover.state() == FailoverState.HEALTHY);

      assertThat(redis.jedis().hgetAll(keys.roomKey("canvas", "connections")))
          .containsOnlyKeys("alice:tab1", "alice:tab2")
          .containsEntry("alice:tab2", "{\"x\":3}");
      assertThat(rooms.list("canvas")).extracting(c -> c.userId() + "/" + c.connectionId())
          .containsExactly("alice/tab1", "alice/tab2");
      List<RoomEvent<String>> heard = events.awaitMatch(e -> e instanceof RoomEvent.Resync<String>);
      assertThat(heard).contains(new RoomEvent.Resync<>("canvas", ResyncReason.FAILOVER));
      assertThat(heard).contains(new RoomEvent.Joined<>("canvas", "alice", "tab2", "{\"x\":3}",
          false, rooms.instanceId()));
    }
  }

  @Test
  void bareStore_redisRestarted_listenersHearResyncReconnected() {
    StoreConfig config = redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT)
        .fallbackEnabled(false).build();
    EventRecorder<RoomEvent<String>> events = new EventRecorder<>();
    try (RedisStores stores = RedisStores.create(config, Duration.ofMillis(200));
        RoomPresenceStore<String> rooms = stores.rooms(Codec.string(), ROOMS)) {
      rooms.subscribe("gap", events::add);
      rooms.heartbeat("gap", "alice", "tab1", "{}");
      events.awaitCount(1);

      redis.kill();
      redis.restart();

      assertThat(events.awaitMatch(e -> e instanceof RoomEvent.Resync<String>))
          .contains(new RoomEvent.Resync<>("gap", ResyncReason.RECONNECTED));
    }
  }

  @Test
  void closingRedisStores_endsTheLeaseOfItsRooms_otherInstanceSeesThemGoAtOnce() {
    StoreConfig config = redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
    try (RedisStores other = RedisStores.create(config)) {
      RoomPresenceStore<String> watching = other.rooms(Codec.string(), ROOMS);
      RedisStores closing = RedisStores.create(config);
      closing.rooms(Codec.string(), ROOMS).heartbeat("closing", "alice", "tab1", "{}");
      closing.redisRooms(Codec.string(), ROOMS).heartbeat("closing", "bob", "tab1", "{}");
      assertThat(watching.count("closing")).isEqualTo(2);

      closing.close();

      assertThat(watching.list("closing")).isEmpty();
    }
  }
}
