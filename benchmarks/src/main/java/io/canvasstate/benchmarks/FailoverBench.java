package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
import java.util.List;
import java.util.Map;
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
 * The healthy cost of the failover decorator: the canvas store {@link RedisStores#canvas} hands
 * out by default (Redis behind {@code FailoverStore}, keeping its local copy) against the bare
 * {@code RedisCanvasStore} of the same {@link RedisStores}, with the Jackson codec, on the same
 * project: {@code get} and {@code put} cycling through its 1,000 objects, and {@code getAll} of
 * all of them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FailoverBench extends RedisBench {
  static final String PROJECT = "failover";
  static final int OBJECTS = 1_000;

  private CanvasStore<Shape> bare;
  private CanvasStore<Shape> failover;
  private String[] ids = new String[0];
  private Shape[] shapes = new Shape[0];
  private final Cycle cycle = new Cycle(OBJECTS);

  @Setup(Level.Trial)
  public void setUp() {
    List<Shape> all = Data.shapes(OBJECTS);
    shapes = all.toArray(Shape[]::new);
    ids = all.stream().map(Shape::id).toArray(String[]::new);
    Env.plantProject(jedis(), PROJECT, List.of(ids), Data.json(all));
    bare = Stores.bareCanvas(stores(), Data.SHAPES);
    failover = Stores.failoverCanvas(stores(), Data.SHAPES);
  }


  @Benchmark
  public Optional<Shape> getFailover() {
    return failover.get(PROJECT, ids[cycle.next()]);
  }

  @Benchmark
  public Optional<Shape> getBare() {
    return bare.get(PROJECT, ids[cycle.next()]);
  }

  @Benchmark
  public void putFailover() {
    int i = cycle.next();
    failover.put(PROJECT, ids[i], shapes[i]);
  }

  @Benchmark
  public void putBare() {
    int i = cycle.next();
    bare.put(PROJECT, ids[i], shapes[i]);
  }

  @Benchmark
  public Map<String, Shape> getAllFailover() {
    return failover.getAll(PROJECT);
  }

  @Benchmark
  public Map<String, Shape> getAllBare() {
    return bare.getAll(PROJECT);
  }
}
