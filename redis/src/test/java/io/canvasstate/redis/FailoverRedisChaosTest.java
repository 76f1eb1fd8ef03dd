package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.RecordingListener;
import io.canvasstate.failover.ConflictEvent;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStats;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chaos: writer threads on two application instances (two {@link RedisStores} on one Redis)
 * keep reading and writing while Redis is killed (SIGKILL) and restarted three times. The
 * server keeps an append-only file synced on every write, as production Redis with AOF does.
 *
 * <p>Each thread owns its objects and its user, so the model of what Redis must hold at the end
 * is exact: the last acknowledged write or delete of every object and presence. Nothing may be
 * lost, nothing deleted may come back, no call may throw, every read must return what the
 * thread last wrote (in every state), and with no object written by two instances no conflict
 * may be reported. Bounded to about 10 s of chaos; every wait has a generous limit.
 */
class FailoverRedisChaosTest {
  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.controllable().withAppendFsyncAlways();

  static final Duration TIMEOUT = Duration.ofMillis(500);
  static final FailoverConfig CONFIG = FailoverConfig.builder()
      .probeInterval(Duration.ofMillis(50)).writeBackBatchSize(16).build();
  static final int INSTANCES = 2;
  static final int THREADS_PER_INSTANCE = 3;
  static final int OBJECTS_PER_THREAD = 24;
  static final int PROJECTS = 3;
  static final int CYCLES = 3;
  static final Duration PHASE = Duration.ofMillis(1200);
  static final Duration RECOVERY = Duration.ofSeconds(20);

  /** One writer thread: its objects, its user, and the model of what it was told. */
  static final class Writer implements Runnable {
    final int id;
    final CanvasStore<String> canvas;
    final PresenceStore<String> presence;
    final Random random;
    final String user;
    /** "project/object" to its last acknowledged value; empty once deleted. */
    final Map<String, Optional<String>> objects = new HashMap<>();
    Optional<String> presenceValue = Optional.empty();
    final AtomicReference<Throwable> failure;
    volatile boolean stop;
    long ops;
    int seq;

    Writer(int id, RedisStores stores, AtomicReference<Throwable> failure) {
      this.id = id;
      this.canvas = stores.canvas(Codec.string());
      this.presence = stores.presence(Codec.string());
      this.random = new Random(1_000 + id);
      this.user = "user" + id;
      this.failure = failure;
    }

    static String project(int k) {
      return "chaos" + (k % PROJECTS);
    }

    String object(int k) {
      return "w" + id + "-" + k;
    }

    Optional<String> model(int k) {
      return objects.getOrDefault(project(k) + "/" + object(k), Optional.empty());
    }

    void acknowledge(int k, Optional<String> value) {
      objects.put(project(k) + "/" + object(k), value);
    }

    String next() {
      return "{\"writer\":" + id + ",\"seq\":" + (++seq) + "}";
    }

    @Override
    public void run() {
      try {
        while (!stop) {
          step();
          ops++;
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, new AssertionError("writer " + id + " after " + ops
            + " operations: " + t, t));
      }
    }

    private void step() {
      int k = random.nextInt(OBJECTS_PER_THREAD);
      String p = project(k);
      String o = object(k);
      double r = random.nextDouble();
      if (r < 0.40) {
        String v = next();
        canvas.put(p, o, v);
        acknowledge(k, Optional.of(v));
      } else if (r < 0.52) {
        boolean removed = canvas.remove(p, o);
        assertThat(removed).as("remove %s/%s", p, o).isEqualTo(model(k).isPresent());
        acknowledge(k, Optional.empty());
      } else if (r < 0.60) {
        int k2 = (k + PROJECTS) % OBJECTS_PER_THREAD;
        String v = next();
        String v2 = next();
        canvas.putAll(p, Map.of(o, v, object(k2), v2));
        acknowledge(k, Optional.of(v));
        acknowledge(k2, Optional.of(v2));
      } else if (r < 0.66) {
        String v = next();
        Optional<String> previous = canvas.getAndPut(p, o, v);
        assertThat(previous).as("getAndPut %s/%s", p, o).isEqualTo(model(k));
        acknowledge(k, Optional.of(v));
      } else if (r < 0.74) {
        String v = next();
        Optional<String> current = model(k);
        if (current.isPresent()) {
          assertThat(canvas.replace(p, o, current.get(), v)).as("replace %s/%s", p, o).isTrue();
        } else {
          assertThat(canvas.putIfAbsent(p, o, v)).as("putIfAbsent %s/%s", p, o).isEmpty();
        }
        acknowledge(k, Optional.of(v));
      } else if (r < 0.86) {
        String prefix = "w" + id + "-";
        Map<String, String> mine = new HashMap<>();
        canvas.getAll(p).forEach((objectId, v) -> {
          if (objectId.startsWith(prefix)) {
            mine.put(objectId, v);
          }
        });
        Map<String, String> expected = new HashMap<>();
        for (int j = 0; j < OBJECTS_PER_THREAD; j++) {
          int kk = j;
          if (project(j).equals(p)) {
            model(j).ifPresent(v -> expected.put(object(kk), v));
          }
        }
        assertThat(mine).as("getAll %s, this writer's objects", p).isEqualTo(expected);
      } else if (r < 0.97) {
        String v = next();
        presence.put(user, v);
        presenceValue = Optional.of(v);
      } else {
        presence.remove(user);
        presenceValue = Optional.empty();
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void writersOnTwoInstances_redisKilledAndRestartedThreeTimes_redisEqualsTheModel()
      throws Exception {
    StoreConfig config = redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
    KeySchema keys = config.keySchema();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<RedisStores> instances = new ArrayList<>();
    List<Writer> writers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < INSTANCES; i++) {
        RedisStores stores = RedisStores.create(config, CONFIG);
        instances.add(stores);
        for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
          Writer w = new Writer(i * THREADS_PER_INSTANCE + t, stores, failure);
          writers.add(w);
          Thread thread = new Thread(w, "chaos-writer-" + w.id);
          thread.setDaemon(true);
          threads.add(thread);
        }
      }
      threads.forEach(Thread::start);

      for (int cycle = 0; cycle < CYCLES && failure.get() == null; cycle++) {
        pause(PHASE);
        redis.kill();
        pause(PHASE);
        redis.restart();
        for (RedisStores stores : instances) {
          awaitHealthy(stores.failover().orElseThrow(), failure);
        }
      }
      pause(PHASE);
    } finally {
      writers.forEach(w -> w.stop = true);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get().getMessage(), failure.get());
    }
    try {
      for (RedisStores stores : instances) {
        awaitHealthy(stores.failover().orElseThrow(), failure);
      }

      Map<String, Map<String, String>> expected = new LinkedHashMap<>();
      Map<String, String> expectedPresence = new HashMap<>();
      for (Writer w : writers) {
        w.objects.forEach((key, value) -> value.ifPresent(v -> {
          String[] po = key.split("/");
          expected.computeIfAbsent(po[0], p -> new HashMap<>()).put(po[1], v);
        }));
        w.presenceValue.ifPresent(v -> expectedPresence.put(w.user, v));
      }
      for (int p = 0; p < PROJECTS; p++) {
        String project = "chaos" + p;
        assertThat(redis.jedis().hgetAll(keys.objectsKey(project)))
            .as("Redis holds exactly the acknowledged state of %s", project)
            .isEqualTo(expected.getOrDefault(project, Map.of()));
      }
      assertThat(redis.jedis().hgetAll(keys.presenceKey())).isEqualTo(expectedPresence);

      long totalOps = writers.stream().mapToLong(w -> w.ops).sum();
      assertThat(totalOps).as("operations made").isGreaterThan(1_000);
      for (RedisStores stores : instances) {
        FailoverStats stats = stores.failover().orElseThrow().stats();
        assertThat(stats.failovers()).as("failovers of %s", stats).isGreaterThanOrEqualTo(CYCLES);
        assertThat(stats.writtenBack()).as("written back").isPositive();
        assertThat(stats.conflicts()).as("conflicts (no object has two writers)").isZero();
        assertThat(stats.dropped()).as("dropped").isZero();
        assertThat(stats.pending()).as("pending").isZero();
      }
    } finally {
      instances.forEach(RedisStores::close);
    }
  }

  /**
   * One writer thread of the shared-objects run: every writer puts and removes the same
   * objects, so the model keeps, per object, each writer's last acknowledged value and
   * every value it was ever acknowledged.
   */
  static final class SharedWriter implements Runnable {
    static final String PROJECT = "shared";
    static final int OBJECTS = 10;

    final int id;
    final CanvasStore<String> canvas;
    final Random random;
    /** Object id to this writer's last acknowledged value; empty once it deleted it. */
    final Map<String, Optional<String>> last = new HashMap<>();
    /** Every value this writer was acknowledged. */
    final Set<String> written = new HashSet<>();
    final AtomicReference<Throwable> failure;
    volatile boolean stop;
    long ops;
    int seq;

    SharedWriter(int id, RedisStores stores, AtomicReference<Throwable> failure) {
      this.id = id;
      this.canvas = stores.canvas(Codec.string());
      this.random = new Random(2_000 + id);
      this.failure = failure;
    }

    @Override
    public void run() {
      try {
        while (!stop) {
          String o = "o" + random.nextInt(OBJECTS);
          double r = random.nextDouble();
          if (r < 0.70) {
            String v = "{\"writer\":" + id + ",\"seq\":" + (++seq) + "}";
            canvas.put(PROJECT, o, v);
            last.put(o, Optional.of(v));
            written.add(v);
          } else if (r < 0.85) {
            canvas.remove(PROJECT, o);
            last.put(o, Optional.empty());
          } else {
            canvas.getAll(PROJECT);
          }
          ops++;
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, new AssertionError("shared writer " + id + " after " + ops
            + " operations: " + t, t));
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void sameObjectsOnTwoInstances_redisKilledAndRestarted_conflictsReportedLastWritesKept()
      throws Exception {
    StoreConfig config = redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
    KeySchema keys = config.keySchema();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<RedisStores> instances = new ArrayList<>();
    List<RecordingListener> listeners = new ArrayList<>();
    List<List<SharedWriter>> writersByInstance = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < INSTANCES; i++) {
        RedisStores stores = RedisStores.create(config, CONFIG);
        instances.add(stores);
        RecordingListener listener = new RecordingListener();
        stores.failover().orElseThrow().addListener(listener);
        listeners.add(listener);
        List<SharedWriter> mine = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          SharedWriter w = new SharedWriter(i * 2 + t, stores, failure);
          mine.add(w);
          Thread thread = new Thread(w, "shared-writer-" + w.id);
          thread.setDaemon(true);
          threads.add(thread);
        }
        writersByInstance.add(mine);
      }
      threads.forEach(Thread::start);
      for (int cycle = 0; cycle < 2 && failure.get() == null; cycle++) {
        pause(PHASE);
        redis.kill();
        pause(PHASE);
        redis.restart();
        for (RedisStores stores : instances) {
          awaitHealthy(stores.failover().orElseThrow(), failure);
        }
      }
      pause(PHASE);
    } finally {
      writersByInstance.forEach(ws -> ws.forEach(w -> w.stop = true));
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get().getMessage(), failure.get());
    }
    try {
      for (RedisStores stores : instances) {
        awaitHealthy(stores.failover().orElseThrow(), failure);
      }
      List<SharedWriter> all = writersByInstance.stream().flatMap(List::stream).toList();
      Map<String, String> inRedis = redis.jedis().hgetAll(keys.objectsKey(SharedWriter.PROJECT));
      for (int k = 0; k < SharedWriter.OBJECTS; k++) {
        String o = "o" + k;
        Optional<String> finalValue = Optional.ofNullable(inRedis.get(o));
        List<Optional<String>> lastWrites = all.stream().filter(w -> w.last.containsKey(o))
            .map(w -> w.last.get(o)).toList();
        assertThat(lastWrites).as("the last acknowledged writes of %s", o)
            .contains(finalValue);
      }
      Set<String> acknowledged = new HashSet<>();
      all.forEach(w -> acknowledged.addAll(w.written));
      long conflicts = 0;
      for (int i = 0; i < INSTANCES; i++) {
        Set<String> ownWrites = new HashSet<>();
        writersByInstance.get(i).forEach(w -> ownWrites.addAll(w.written));
        for (ConflictEvent c : listeners.get(i).conflicts) {
          assertThat(c.key().projectId()).contains(SharedWriter.PROJECT);
          c.outageValue().ifPresent(v -> assertThat(ownWrites).as("outage value of %s", c)
              .contains(v));
          c.storeValue().ifPresent(v -> assertThat(acknowledged).as("Redis value of %s", c)
              .contains(v));
        }
        FailoverStats stats = instances.get(i).failover().orElseThrow().stats();
        assertThat(stats.conflicts()).isEqualTo(listeners.get(i).conflicts.size());
        assertThat(stats.dropped()).as("dropped").isZero();
        assertThat(stats.pending()).as("pending").isZero();
        conflicts += stats.conflicts();
      }
      assertThat(conflicts).as("conflicts reported: two instances wrote the same objects during"
          + " each outage").isPositive();
    } finally {
      instances.forEach(RedisStores::close);
    }
  }

  private static void awaitHealthy(FailoverStore failover, AtomicReference<Throwable> failure) {
    await().atMost(RECOVERY).pollInterval(Duration.ofMillis(20))
        .until(() -> failure.get() != null || failover.state() == FailoverState.HEALTHY);
  }

  /** Lets the writers work for a while: pacing the scenario, not an assertion. */
  private static void pause(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
