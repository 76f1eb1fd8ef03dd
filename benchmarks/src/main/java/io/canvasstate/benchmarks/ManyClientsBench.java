package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import redis.clients.jedis.AbstractPipeline;

/**
 * Sixteen threads sharing one store (and its pool of 16 connections), each calling {@code get}
 * or {@code put} on the 1,000 objects of one project as fast as it can: throughput in ops/s,
 * which the suite sets beside {@code redis-benchmark -c 16} running the commands these calls
 * send (captured by {@link RedisBenchmarkCommands}). Raw Jedis HGET and pipelined HSET+PEXPIRE
 * with 16 threads show what the client alone reaches on this machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(ManyClientsBench.THREADS)
public class ManyClientsBench extends RedisBench {
  static final int THREADS = 16;
  static final String PROJECT = "ops";
  static final int OBJECTS = 1_000;

  @Param({"jackson", "raw"})
  public String codec = "jackson";

  private CanvasStore<Object> store;
  private Canvas canvas;
  private final long ttl = Env.CANVAS_TTL.toMillis();

  /** Each thread's position in the project, starting apart. */
  @State(Scope.Thread)
  public static class Position {
    private static final AtomicInteger STARTS = new AtomicInteger();
    private final Cycle cycle = new Cycle(OBJECTS, STARTS.getAndAdd(OBJECTS / THREADS));

    int next() {
      return cycle.next();
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    canvas = Canvas.plant(jedis(), PROJECT, OBJECTS, codec);
    store = Stores.bareCanvas(stores(), canvas.codec);
  }

  @Benchmark
  public Optional<Object> threads16GetLibrary(Position c) {
    return store.get(PROJECT, canvas.ids[c.next()]);
  }

  @Benchmark
  public void threads16PutLibrary(Position c) {
    int i = c.next();
    store.put(PROJECT, canvas.ids[i], canvas.values[i]);
  }

  @Benchmark
  public Object threads16GetRawHget(Position c) {
    return canvas.codec.decode(jedis().hget(canvas.hash, canvas.fields[c.next()]));
  }

  @Benchmark
  public void threads16PutRawPipelined(Position c) {
    int i = c.next();
    byte[] value = canvas.codec.encode(canvas.values[i]);
    try (AbstractPipeline p = jedis().pipelined()) {
      p.hset(canvas.hash, canvas.fields[i], value);
      p.pexpire(canvas.hash, ttl);
      p.sync();
    }
  }
}
