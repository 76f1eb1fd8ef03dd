package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.redis.testing.RedisClusterExtension;
import io.canvasstate.redis.testing.RedisClusterExtension.MigrationWindow;
import io.canvasstate.redis.testing.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;

/**
 * Slots of a live project and of presence moved between the masters of a real 3-master cluster
 * while writers run, each migration held open (keys on the old owner, split, all on the new
 * owner: {@code ASK} and {@code TRYAGAIN}) until every writer has completed calls in it: the
 * failover-wrapped stores follow without an exception and without failing over, and Redis ends
 * with exactly the acknowledged writes.
 */
class FailoverRedisSlotMigrationTest {
  @RegisterExtension
  static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

  static final int WRITERS = 3;
  static final int OBJECTS_PER_WRITER = 8;
  static final int CALLS_PER_WINDOW = 15;
  static final Duration MAX_RUN = Duration.ofSeconds(120);

  @Test
  void writes_slotsMigratedUnderTraffic_noExceptionNoFailoverAndRedisHoldsAcknowledgedWrites() {
    StoreConfig config = CLUSTER.config().keyPrefix("migr:").build();
    KeySchema keys = config.keySchema();
    try (RedisStores stores = RedisStores.create(config)) {
      FailoverStore failover = stores.failover().orElseThrow();
      CanvasStore<String> canvas = stores.canvas(Codec.string());
      PresenceStore<String> presence = stores.presence(Codec.string());
      Map<String, Long> refusedBefore = refusals();
      List<Writer> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(new Writer("canvas-" + w, n -> {
          String id = "w" + writer + "-" + (n % OBJECTS_PER_WRITER);
          String value = "{\"w\":" + writer + ",\"n\":" + n + "}";
          if (n % 7 == 6) {
            canvas.remove("live", id);
            return Map.entry(id, "");
          }
          canvas.put("live", id, value);
          if (!canvas.get("live", id).orElseThrow().equals(value)) {
            throw new AssertionError("read back something else than " + value);
          }
          return Map.entry(id, value);
        }));
      }
      writers.add(new Writer("presence", n -> {
        String user = "u" + (n % 4);
        String value = "{\"n\":" + n + "}";
        presence.put(user, value);
        presence.getAll();
        return Map.entry(user, value);
      }));
      writers.add(new Writer("reader", n -> {
        canvas.getAll("live");
        return Map.entry("", "");
      }));
      writers.forEach(Writer::start);
      try {
        // Each window stays open until the writers it does not block have completed calls in
        // it; calls on keys split between the nodes are refused (TRYAGAIN) until the next key
        // moves, so the writer of those keys is not waited for then.
        Writer presenceWriter = writers.get(WRITERS);
        Consumer<MigrationWindow> holdOpen = window -> writers.stream()
            .filter(w -> !(window.split() && w == presenceWriter))
            .forEach(Writer::awaitMoreCalls);
        writers.forEach(Writer::awaitMoreCalls);
        for (int round = 0; round < 2; round++) {
          ServerProcess before = CLUSTER.masterOf(keys.objectsKey("live"));
          assertThat(CLUSTER.moveSlotOf(keys.objectsKey("live"), holdOpen).port())
              .isNotEqualTo(before.port());
          before = CLUSTER.masterOf(keys.presenceKey());
          assertThat(CLUSTER.moveSlotOf(keys.presenceKey(), holdOpen).port())
              .isNotEqualTo(before.port());
        }
        writers.forEach(Writer::awaitMoreCalls);
      } finally {
        writers.forEach(Writer::stop);
      }

      Map<String, Long> refused = refusals();
      assertThat(refused.getOrDefault("ASK", 0L) - refusedBefore.getOrDefault("ASK", 0L))
          .as("ASK replies the stores followed").isPositive();
      assertThat(refused.getOrDefault("TRYAGAIN", 0L)
          - refusedBefore.getOrDefault("TRYAGAIN", 0L))
          .as("TRYAGAIN replies the stores waited out").isPositive();
      for (Writer w : writers) {
        assertThat(w.errors).as("exceptions of writer %s", w.name).isEmpty();
      }
      assertThat(failover.stats().failovers()).as("failovers").isZero();
      Map<String, String> expectedObjects = new HashMap<>();
      for (int w = 0; w < WRITERS; w++) {
        writers.get(w).acknowledged.forEach((id, v) -> {
          if (!v.isEmpty()) {
            expectedObjects.put(id, v);
          }
        });
      }
      try (RedisClusterClient raw = RedisClusterClient.builder()
          .nodes(java.util.Set.of(new HostAndPort(CLUSTER.endpoints().get(0).host(),
              CLUSTER.endpoints().get(0).port()))).build()) {
        assertThat(raw.hgetAll(keys.objectsKey("live"))).isEqualTo(expectedObjects);
        assertThat(raw.hgetAll(keys.presenceKey()))
            .isEqualTo(writers.get(WRITERS).acknowledged);
      }
    }
  }

  /** The refusals every node answered so far, by error name (its {@code INFO errorstats}). */
  private static Map<String, Long> refusals() {
    Map<String, Long> out = new HashMap<>();
    for (ServerProcess node : CLUSTER.liveNodes()) {
      try (redis.clients.jedis.Jedis jedis = CLUSTER.connect(node)) {
        for (String line : jedis.info("errorstats").split("\r?\n")) {
          if (line.startsWith("errorstat_")) {
            String name = line.substring("errorstat_".length(), line.indexOf(':'));
            long count = Long.parseLong(line.replaceAll(".*count=(\\d+).*", "$1"));
            out.merge(name, count, Long::sum);
          }
        }
      }
    }
    return out;
  }

  /**
   * A thread calling one operation in a loop until stopped (or {@link #MAX_RUN}), recording the
   * last acknowledged value per key and every exception.
   */
  private static final class Writer {
    final String name;
    final IntFunction<Map.Entry<String, String>> call;
    final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    final List<Throwable> errors = new ArrayList<>();
    final AtomicLong calls = new AtomicLong();
    final AtomicBoolean running = new AtomicBoolean(true);
    final Thread thread;

    Writer(String name, IntFunction<Map.Entry<String, String>> call) {
      this.name = name;
      this.call = call;
      this.thread = new Thread(this::run, "writer-" + name);
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void run() {
      long deadline = System.nanoTime() + MAX_RUN.toNanos();
      for (int n = 0; running.get() && System.nanoTime() < deadline; n++) {
        try {
          Map.Entry<String, String> done = call.apply(n);
          if (!done.getKey().isEmpty()) {
            acknowledged.put(done.getKey(), done.getValue());
          }
        } catch (RuntimeException | AssertionError e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
        calls.incrementAndGet();
      }
    }

    /** Waits until this writer has completed {@link #CALLS_PER_WINDOW} more calls. */
    void awaitMoreCalls() {
      long target = calls.get() + CALLS_PER_WINDOW;
      await(name + " completes calls").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5)).until(() -> calls.get() >= target);
    }

    void stop() {
      running.set(false);
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
