package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.redis.testing.RedisServerExtension;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The room scripts ({@code rooms/*.lua}) run directly on a real server, with raw keys. */
class RoomScriptsTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final AtomicLong ROOMS = new AtomicLong();

  private final String room = "scripts" + ROOMS.incrementAndGet() + "-" + System.nanoTime();
  private final String connections = "room:{" + room + "}:connections";
  private final String ends = "room:{" + room + "}:ends";
  private final String index = "room:{" + room + "}:index";
  private final List<String> keys = List.of(connections, ends, index, "room:{" + room + "}:events");

  private Object run(String script, String... args) {
    return redis.jedis().eval(new String(scriptText(script), UTF_8), keys, List.of(args));
  }

  private static byte[] scriptText(String name) {
    Script s = switch (name) {
      case "heartbeat" -> RoomScripts.HEARTBEAT;
      case "leave" -> RoomScripts.LEAVE;
      default -> RoomScripts.PRUNE;
    };
    return s.body();
  }

  private Object heartbeat(String owner, String user, String connection, String value) {
    return run("heartbeat", "i-test", "60000", "10000", owner, user + ":" + connection, user,
        value, "120000", "0");
  }

  @Test
  void heartbeat_joinThenUpdate_returnsOneThenZeroAndIndexesTheConnection() {
    Jedis raw = redis.jedis();

    assertThat(heartbeat("o1", "alice", "tab1", "{\"x\":1}")).isEqualTo(1L);
    assertThat(heartbeat("o1", "alice", "tab1", "{\"x\":2}")).isEqualTo(0L);
    assertThat(heartbeat("o1", "alice", "tab2", "{\"x\":3}")).isEqualTo(1L);

    assertThat(raw.hgetAll(connections)).containsEntry("alice:tab1", "{\"x\":2}")
        .containsEntry("alice:tab2", "{\"x\":3}").hasSize(2);
    assertThat(raw.hgetAll(index)).containsEntry("alice", "2").containsEntry("alice:tab1", "o1")
        .containsEntry("alice:tab2", "o1");
    assertThat(raw.zrange(ends, 0, -1)).containsExactlyInAnyOrder("o1", "alice:tab1", "alice:tab2");
    for (String key : List.of(connections, ends, index)) {
      assertThat(raw.pttl(key)).as(key).isBetween(100_000L, 120_000L);
    }
  }

  @Test
  void heartbeat_liveConnection_restartsTheKeysLifetimeOnlyWhenAskedTo() {
    Jedis raw = redis.jedis();
    heartbeat("o1", "alice", "tab1", "{}");
    for (String key : List.of(connections, ends, index)) {
      raw.pexpire(key, 50_000);
    }

    heartbeat("o1", "alice", "tab1", "{\"x\":1}");
    assertThat(raw.pttl(connections)).as("a live connection, not due").isLessThanOrEqualTo(50_000L);
    run("heartbeat", "i-test", "60000", "10000", "o1", "alice:tab1", "alice", "{}", "120000", "1");

    for (String key : List.of(connections, ends, index)) {
      assertThat(raw.pttl(key)).as(key).isBetween(100_000L, 120_000L);
    }
  }

  @Test
  void prune_ownerLeaseEnded_dropsItsConnectionsOnlyAndPublishesTheirLeft() {
    Jedis raw = redis.jedis();
    heartbeat("dead", "alice", "tab1", "{}");
    heartbeat("dead", "bob", "tab1", "{}");
    heartbeat("live", "alice", "tab2", "{}");
    raw.zadd(ends, 1, "dead");

    try (RawSubscriber events = RawSubscriber.on(redis, "room:{" + room + "}:events")) {
      run("prune", "i-test");

      assertThat(raw.hkeys(connections)).containsExactly("alice:tab2");
      assertThat(raw.hgetAll(index)).containsOnlyKeys("alice", "alice:tab2")
          .containsEntry("alice", "1");
      assertThat(raw.zrange(ends, 0, -1)).containsExactlyInAnyOrder("live", "alice:tab2");
      assertThat(events.awaitCount(2)).containsExactlyInAnyOrder("e\ni-test\nalice:tab1\n",
          "E\ni-test\nbob:tab1\n");
    }
  }

  @Test
  void heartbeat_connectionMovesToAnotherOwner_survivesTheEndOfTheFirstOwnersLease() {
    Jedis raw = redis.jedis();
    heartbeat("o1", "alice", "tab1", "{\"x\":1}");

    assertThat(heartbeat("o2", "alice", "tab1", "{\"x\":2}")).isEqualTo(0L);
    raw.zadd(ends, 1, "o1");
    run("prune", "i-test");

    assertThat(raw.hgetAll(index)).containsEntry("alice:tab1", "o2").containsEntry("alice", "1");
    assertThat(raw.hgetAll(connections)).containsOnlyKeys("alice:tab1");
    assertThat(raw.zrange(ends, 0, -1)).containsExactlyInAnyOrder("o2", "alice:tab1");
  }

  @Test
  void leave_lastConnection_removesTheUserFromTheIndex() {
    heartbeat("o1", "alice", "tab1", "{}");

    assertThat(run("leave", "i-test", "alice:tab1")).isEqualTo(1L);
    assertThat(run("leave", "i-test", "alice:tab1")).isEqualTo(0L);

    assertThat(redis.jedis().exists(connections)).isFalse();
    assertThat(redis.jedis().hgetAll(index)).isEmpty();
  }

  @Test
  void lease_roomGone_createsNothing_andNeverShortensALease() {
    Jedis raw = redis.jedis();
    byte[] lease = RoomScripts.LEASE.body();
    String text = new String(lease, UTF_8);

    assertThat(raw.eval(text, List.of(ends), List.of("o1", "5000"))).isEqualTo(0L);
    assertThat(raw.exists(ends)).isFalse();

    raw.zadd(ends, 9e15, "o1");
    raw.eval(text, List.of(ends), List.of("o1", "5000"));
    assertThat(raw.zscore(ends, "o1")).isEqualTo(9e15);
    raw.zadd(ends, 1, "o1");
    raw.eval(text, List.of(ends), List.of("o1", "5000"));
    assertThat(raw.zscore(ends, "o1")).isGreaterThan(1e12);
  }
}
