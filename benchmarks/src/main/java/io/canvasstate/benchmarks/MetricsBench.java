package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
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

/**
 * The cost of Micrometer metrics: the default canvas store of {@link RedisStores#canvas}
 * (failover-wrapped), measured by {@link CanvasStateMetrics} into a registry with the binder's
 * pool, failover and timer meters, against the same store unmeasured, with the Jackson codec, on
 * the same project: {@code get} and {@code put} cycling through its 1,000 objects.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MetricsBench extends RedisBench {
  static final String PROJECT = "metrics";
  static final int OBJECTS = 1_000;

  private CanvasStore<Shape> plain;
  private CanvasStore<Shape> metered;
  private String[] ids = new String[0];
  private Shape[] shapes = new Shape[0];
  private final Cycle cycle = new Cycle(OBJECTS);

  @Setup(Level.Trial)
  public void setUp() {
    List<Shape> all = Data.shapes(OBJECTS);
    shapes = all.toArray(Shape[]::new);
    ids = all.stream().map(Shape::id).toArray(String[]::new);
    Env.plantProject(jedis(), PROJECT, List.of(ids), Data.json(all));
    plain = Stores.failoverCanvas(stores(), Data.SHAPES);
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().redis(stores()).build();
    metrics.bindTo(new SimpleMeterRegistry());
    metered = metrics.canvas("shapes", Stores.failoverCanvas(stores(), Data.SHAPES));
  }

  @Benchmark
  public Optional<Shape> getMetered() {
    return metered.get(PROJECT, ids[cycle.next()]);
  }

  @Benchmark
  public Optional<Shape> getPlain() {
    return plain.get(PROJECT, ids[cycle.next()]);
  }

  @Benchmark
  public void putMetered() {
    int i = cycle.next();
    metered.put(PROJECT, ids[i], shapes[i]);
  }

  @Benchmark
  public void putPlain() {
    int i = cycle.next();
    plain.put(PROJECT, ids[i], shapes[i]);
  }
}
