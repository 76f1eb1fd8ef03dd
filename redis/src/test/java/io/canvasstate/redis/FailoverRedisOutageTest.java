package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.contract.RecordingListener;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.failover.TransitionEvent;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The failover-wrapped stores {@link RedisStores} hands out, against a real {@code redis-server}
 * that the test kills (SIGKILL), pauses (SIGSTOP, then SIGCONT), restarts on the same port, or
 * starts only after the application. The server keeps an append-only file synced on every
 * write, as a production Redis with AOF does, so a killed server comes back with its data.
 *
 * <p>For each: no call throws, reads during the outage return the last known state, and after
 * recovery Redis itself (read with a raw client) holds every write and delete made during the
 * outage.
 */
class FailoverRedisOutageTest {
  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.controllable().withAppendFsyncAlways();

  /** Short, so that a paused server is detected quickly; generous enough for a loaded machine. */
  static final Duration TIMEOUT = Duration.ofMillis(300);
  static final FailoverConfig FAST_PROBES =
      FailoverConfig.builder().probeInterval(Duration.ofMillis(50)).build();
  /** How long recovery may take on a loaded machine: generous, the test waits only as needed. */
  static final Duration RECOVERY = Duration.ofSeconds(20);

  private final RecordingListener events = new RecordingListener();

  @BeforeEach
  void serverRunning() {
    try {
      redis.jedis().ping();
    } catch (RuntimeException e) {
      redis.restart();
    }
  }

  /** One application instance's stores on the test server. */
  private record App(RedisStores stores, CanvasStore<String> canvas,
      PresenceStore<String> presence, FailoverStore failover, KeySchema keys)
      implements AutoCloseable {
    @Override
    public void close() {
      stores.close();
    }
  }

  private App open(StoreConfig config) {
    RedisStores stores = RedisStores.create(config, FAST_PROBES);
    FailoverStore failover = stores.failover().orElseThrow();
    failover.addListener(events);
    return new App(stores, stores.canvas(Codec.string()), stores.presence(Codec.string()),
        failover, config.keySchema());
  }

  private static StoreConfig config() {
    return redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
  }

  static String json(String name, int n) {
    return "{\"name\":\"" + name + "\",\"n\":" + n + "}";
  }

  /** What Redis holds for a project, read with a raw client. */
  static Map<String, String> rawObjects(KeySchema keys, String projectId) {
    return redis.jedis().hgetAll(keys.objectsKey(projectId));
  }

  static String rawPresence(KeySchema keys, String userId) {
    return redis.jedis().hget(keys.presenceKey(), userId);
  }

  private static void awaitHealthy(FailoverStore failover) {
    await().atMost(RECOVERY).pollInterval(Duration.ofMillis(20))
        .until(() -> failover.state() == FailoverState.HEALTHY);
  }

  /**
   * Reads and writes made while Redis is down (or just restarted, its pooled connections dead);
   * none may throw.
   */
  private static void outageWork(CanvasStore<String> canvas, PresenceStore<String> presence) {
    assertThat(canvas.getAll("p"))
        .as("last known state")
        .containsOnly(Map.entry("a", json("a", 1)), Map.entry("b", json("b", 1)),
            Map.entry("c", json("c", 1)));
    assertThat(presence.get("ann")).contains(json("ann", 1));

    canvas.put("p", "a", json("a", 2));
    canvas.remove("p", "b");
    canvas.put("p", "d", json("d", 2));
    canvas.putAll("q", Map.of("x", json("x", 2)));
    presence.put("bob", json("bob", 2));
    presence.remove("ann");

    assertThat(canvas.getAll("p")).containsOnly(Map.entry("a", json("a", 2)),
        Map.entry("c", json("c", 1)), Map.entry("d", json("d", 2)));
    assertThat(canvas.get("p", "b")).isEmpty();
    assertThat(presence.activeUsers()).containsExactly("bob");
  }

  /** Before the outage: what this instance loads and writes while Redis is healthy. */
  private static void healthyWork(CanvasStore<String> canvas, PresenceStore<String> presence) {
    canvas.putAll("p", Map.of("a", json("a", 1), "b", json("b", 1), "c", json("c", 1)));
    assertThat(canvas.getAll("p")).hasSize(3);
    presence.put("ann", json("ann", 1));
  }

  /** After recovery: Redis holds every outage write and delete, read with a raw client. */
  private static void assertRedisHoldsOutageWork(KeySchema keys) {
    assertThat(rawObjects(keys, "p")).containsOnly(Map.entry("a", json("a", 2)),
        Map.entry("c", json("c", 1)), Map.entry("d", json("d", 2)));
    assertThat(rawObjects(keys, "q")).containsOnly(Map.entry("x", json("x", 2)));
    assertThat(rawPresence(keys, "bob")).isEqualTo(json("bob", 2));
    assertThat(rawPresence(keys, "ann")).as("deleted during the outage").isNull();
    assertThat(redis.jedis().zrange(keys.activeProjectsKey(), 0, -1)).contains("p", "q");
  }

  @Test
  void putAll_redisPausedBetweenChunks_servedFromMemoryThenWrittenBackWithoutConflict()
      throws Exception {
    int n = 2_000;
    Map<String, String> batch = new java.util.LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      batch.put("o" + i, json("o" + i, 1));
    }
    try (App app = open(config().toBuilder().chunkSize(1).build())) {
      String key = app.keys().objectsKey("chunks");
      long[] writtenWhenPaused = {-1};
      Thread pauser = new Thread(() -> {
        try (redis.clients.jedis.Jedis watcher = redis.connect()) {
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (System.nanoTime() < deadline) {
            long written = watcher.hlen(key);
            if (written > 0) {
              redis.pause();
              writtenWhenPaused[0] = written;
              return;
            }
          }
        }
      }, "pause-between-chunks");
      pauser.start();

      app.canvas().putAll("chunks", batch);
      pauser.join();
      assertThat(writtenWhenPaused[0]).as("chunks in Redis when it stopped").isBetween(1L, n - 1L);
      assertThat(app.failover().state()).isEqualTo(FailoverState.FAILED_OVER);
      assertThat(app.canvas().getAll("chunks")).isEqualTo(batch);
      redis.resume();
      awaitHealthy(app.failover());

      assertThat(rawObjects(app.keys(), "chunks")).isEqualTo(batch);
      assertThat(app.failover().stats().conflicts()).isZero();
      assertThat(events.conflicts).isEmpty();
    } finally {
      redis.resume();
    }
  }

  @Test
  void sigkill_redisRestartedWithItsAof_servedFromMemoryThenWrittenBack() {
    try (App app = open(config())) {
      healthyWork(app.canvas(), app.presence());

      redis.kill();
      outageWork(app.canvas(), app.presence());
      assertThat(app.failover().state()).isEqualTo(FailoverState.FAILED_OVER);
      redis.restart();
      awaitHealthy(app.failover());

      assertRedisHoldsOutageWork(app.keys());
      assertThat(events.states()).containsExactly(
          FailoverState.FAILED_OVER, FailoverState.RECOVERING, FailoverState.HEALTHY);
      assertThat(app.failover().stats().conflicts()).isZero();
      assertThat(app.failover().stats().dropped()).isZero();
      assertThat(app.canvas().get("p", "d")).contains(json("d", 2));
    }
  }

  @Test
  void sigstop_detectedByTimeout_servedFromMemoryThenWrittenBackAfterSigcont() {
    try (App app = open(config())) {
      healthyWork(app.canvas(), app.presence());

      redis.pause();
      try {
        long start = System.nanoTime();
        outageWork(app.canvas(), app.presence());
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("one call waits for the timeout, the rest answer from memory")
            .isLessThan(Duration.ofSeconds(10));
        assertThat(app.failover().state()).isEqualTo(FailoverState.FAILED_OVER);
        assertThat(events.transitions.get(0).cause())
            .hasValueSatisfying(c -> assertThat(c).containsIgnoringCase("timed out"));
      } finally {
        redis.resume();
      }
      awaitHealthy(app.failover());

      assertRedisHoldsOutageWork(app.keys());
      assertThat(app.failover().stats().conflicts()).isZero();
    }
  }

  @Test
  void restart_samePortDeadPooledConnections_failOverThenWrittenBack() {
    try (App app = open(config())) {
      healthyWork(app.canvas(), app.presence());

      redis.restart();
      outageWork(app.canvas(), app.presence());
      awaitHealthy(app.failover());

      assertRedisHoldsOutageWork(app.keys());
      assertThat(app.failover().stats().failovers()).isBetween(0L, 2L);
      assertThat(app.failover().stats().conflicts()).isZero();
    }
  }

  @Test
  void create_whileRedisDown_startsOnMemoryAndMovesToRedisWhenItAppears() {
    redis.kill();
    try (App app = open(config())) {

      app.canvas().put("p", "a", json("a", 1));
      app.canvas().put("p", "gone", json("gone", 1));
      app.canvas().remove("p", "gone");
      app.presence().put("bob", json("bob", 1));
      assertThat(app.canvas().getAll("p")).containsOnly(Map.entry("a", json("a", 1)));
      assertThat(app.failover().state()).isEqualTo(FailoverState.FAILED_OVER);
      assertThat(events.transitions.get(0).reason())
          .isEqualTo(TransitionEvent.Reason.PRIMARY_UNAVAILABLE_AT_START);

      redis.restart();
      awaitHealthy(app.failover());

      assertThat(rawObjects(app.keys(), "p")).containsOnly(Map.entry("a", json("a", 1)));
      assertThat(rawPresence(app.keys(), "bob")).isEqualTo(json("bob", 1));
      app.canvas().put("p", "b", json("b", 1));
      assertThat(redis.jedis().hget(app.keys().objectsKey("p").getBytes(UTF_8), "b".getBytes(UTF_8)))
          .isEqualTo(json("b", 1).getBytes(UTF_8));
    }
  }

  @Test
  void canvas_fallbackDisabled_bareStoreThrowsUnavailable() {
    try (RedisStores stores = RedisStores.create(config().toBuilder()
        .fallbackEnabled(false).build())) {
      CanvasStore<String> canvas = stores.canvas(Codec.string());
      assertThat(canvas).isInstanceOf(RedisCanvasStore.class);
      assertThat(stores.failover()).isEmpty();

      redis.kill();
      assertThatThrownBy(() -> canvas.get("p", "a"))
          .isInstanceOf(StoreUnavailableException.class);
    }
  }
}
