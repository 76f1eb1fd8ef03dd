package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.micrometer.CanvasStateMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
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
 * The CPU cost of Micrometer metrics, without Redis: an {@code InMemoryCanvasStore} measured by
 * {@link CanvasStateMetrics} into a registry against the same kind of store unmeasured, with the
 * Jackson codec, cycling through 1,000 objects. The suite compares their CPU time per call
 * ({@link CpuTime}), which other processes on a shared machine move far less than the wall time
 * of the Redis rows ({@link MetricsBench}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsCpuBench {
  static final String PROJECT = "metrics";
  static final int OBJECTS = 1_000;

  private InMemoryCanvasStore<Shape> plain;
  private InMemoryCanvasStore<Shape> inner;
  private CanvasStore<Shape> metered;
  private String[] ids = new String[0];
  private Shape[] shapes = new Shape[0];
  private final Cycle cycle = new Cycle(OBJECTS);

  @Setup(Level.Trial)
  public void setUp() {
    List<Shape> all = Data.shapes(OBJECTS);
    shapes = all.toArray(Shape[]::new);
    ids = all.stream().map(Shape::id).toArray(String[]::new);
    plain = InMemoryCanvasStore.create(Data.SHAPES);
    inner = InMemoryCanvasStore.create(Data.SHAPES);
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().build();
    metrics.bindTo(new SimpleMeterRegistry());
    metered = metrics.canvas("shapes", inner);
    for (int i = 0; i < OBJECTS; i++) {
      plain.put(PROJECT, ids[i], shapes[i]);
      inner.put(PROJECT, ids[i], shapes[i]);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    plain.close();
    inner.close();
  }

  @Benchmark
  public Optional<Shape> inMemoryGetMetered(CpuTime cpu) {
    return metered.get(PROJECT, ids[cycle.next()]);
  }

  @Benchmark
  public Optional<Shape> inMemoryGetPlain(CpuTime cpu) {
    return plain.get(PROJECT, ids[cycle.next()]);
  }

  @Benchmark
  public void inMemoryPutMetered(CpuTime cpu) {
    int i = cycle.next();
    metered.put(PROJECT, ids[i], shapes[i]);
  }

  @Benchmark
  public void inMemoryPutPlain(CpuTime cpu) {
    int i = cycle.next();
    plain.put(PROJECT, ids[i], shapes[i]);
  }
}
