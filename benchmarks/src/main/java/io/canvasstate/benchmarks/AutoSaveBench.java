package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.inmemory.InMemoryCanvasRepository;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.redis.RedisStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * How auto-save scales out: the time for the workers of 1 and of 3 instances (each its own
 * {@link RedisStores} and {@link Persistence}, sharing one Redis and one repository) to drain a
 * backlog of {@value #PROJECTS} dirty projects of one object each. The repository takes
 * {@value #SAVE_MILLIS} ms per save, as a database across a network does, but saves of different
 * projects run side by side: it is not the bottleneck, so three instances should drain the
 * backlog about three times as fast as one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AutoSaveBench {
  static final int PROJECTS = 3_000;
  static final int SAVE_MILLIS = 3;
  static final int INSTANCES = 3;

  private final List<RedisStores> stores = new ArrayList<>();
  private final List<AutoSaveWorker> workers = new ArrayList<>();
  private final List<Persistence<Shape>> persistences = new ArrayList<>();
  private CanvasStore<Shape> writer;
  private ExecutorService threads = Executors.newFixedThreadPool(INSTANCES);
  private Shape shape = Data.shapes(1).get(0);
  private int invocation;

  /** A repository whose saves take {@link #SAVE_MILLIS}, concurrently. */
  private static CanvasRepository<Shape> slow(CanvasRepository<Shape> durable) {
    return new CanvasRepository<>() {
      @Override
      public Map<String, Shape> load(String projectId) {
        return durable.load(projectId);
      }

      @Override
      public boolean save(ProjectChanges<Shape> changes) {
        try {
          TimeUnit.MILLISECONDS.sleep(SAVE_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        return durable.save(changes);
      }
    };
  }

  @Setup(Level.Trial)
  public void setUp() {
    CanvasRepository<Shape> durable = slow(InMemoryCanvasRepository.create(Data.SHAPES));
    StoreConfig config = Env.config().toBuilder()
        .keyPrefix(Env.PREFIX + "autosave" + System.nanoTime() + ":").build();
    for (int i = 0; i < INSTANCES; i++) {
      RedisStores s = RedisStores.create(config);
      Persistence<Shape> p = Persistence.builder(durable).instanceId("bench" + i).build();
      CanvasStore<Shape> canvas = s.redisCanvas(Data.SHAPES, p);
      if (i == 0) {
        writer = canvas;
      }
      stores.add(s);
      persistences.add(p);
      workers.add(p.worker());
    }
    threads = Executors.newFixedThreadPool(INSTANCES);
    shape = Data.shapes(1).get(0);
  }

  /** A backlog of {@link #PROJECTS} new dirty projects. */
  @Setup(Level.Invocation)
  public void plantBacklog() {
    invocation++;
    for (int p = 0; p < PROJECTS; p++) {
      writer.put("i" + invocation + "-p" + p, shape.id(), shape);
    }
  }

  @Benchmark
  public int drainOneInstance() throws Exception {
    return drain(1);
  }

  @Benchmark
  public int drainThreeInstances() throws Exception {
    return drain(INSTANCES);
  }

  private int drain(int instances) throws Exception {
    List<Future<Boolean>> running = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      AutoSaveWorker w = workers.get(i);
      running.add(threads.submit(() -> w.flush(Duration.ofMinutes(2))));
    }
    for (Future<Boolean> f : running) {
      f.get(3, TimeUnit.MINUTES);
    }
    int left = persistences.get(0).stats().backlog().orElseThrow().projects();
    if (left != 0) {
      throw new IllegalStateException(left + " projects left unsaved after the drain");
    }
    return left;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    workers.forEach(AutoSaveWorker::shutdownNow);
    threads.shutdownNow();
    threads.awaitTermination(1, TimeUnit.MINUTES);
    stores.forEach(RedisStores::close);
  }
}
