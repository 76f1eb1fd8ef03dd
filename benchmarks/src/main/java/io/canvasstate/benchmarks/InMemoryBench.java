package io.canvasstate.benchmarks;

import io.canvasstate.Codec;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One object at a time in memory: {@code InMemoryCanvasStore.get}/{@code put} against a
 * {@code ConcurrentHashMap<String, byte[]>} of the same project's encoded objects with the same
 * codec work (decode after {@code get}, encode before {@code put}), cycling through 1,000
 * objects in the same order. The suite compares their CPU time per call ({@link CpuTime}),
 * which other processes on a shared machine move far less than the wall time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InMemoryBench {
  static final String PROJECT = "ops";
  static final int OBJECTS = 1_000;

  @Param({"jackson", "raw"})
  public String codec = "jackson";

  private InMemoryCanvasStore<Object> store;
  private final ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>();
  private Codec<Object> objectCodec;
  private String[] ids = new String[0];
  private Object[] values = new Object[0];
  private final Cycle cycle = new Cycle(OBJECTS);

  @Setup(Level.Trial)
  public void setUp() {
    List<Shape> shapes = Data.shapes(OBJECTS);
    objectCodec = Data.codec(codec);
    values = Data.values(codec, shapes).toArray();
    ids = shapes.stream().map(Shape::id).toArray(String[]::new);
    store = InMemoryCanvasStore.create(objectCodec);
    for (int i = 0; i < OBJECTS; i++) {
      store.put(PROJECT, ids[i], values[i]);
      map.put(ids[i], objectCodec.encode(values[i]));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }


  @Benchmark
  public Optional<Object> inMemoryGetLibrary(CpuTime cpu) {
    return store.get(PROJECT, ids[cycle.next()]);
  }

  @Benchmark
  public Object inMemoryGetMap(CpuTime cpu) {
    return objectCodec.decode(map.get(ids[cycle.next()]));
  }

  @Benchmark
  public void inMemoryPutLibrary(CpuTime cpu) {
    int i = cycle.next();
    store.put(PROJECT, ids[i], values[i]);
  }

  @Benchmark
  public void inMemoryPutMap(CpuTime cpu) {
    int i = cycle.next();
    map.put(ids[i], objectCodec.encode(values[i]));
  }
}
