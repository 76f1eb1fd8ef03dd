package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.params.GetExParams;

/**
 * One object at a time on Redis: {@code RedisCanvasStore.get}/{@code put} against raw Jedis
 * doing the same Redis work and the same codec work, on a project of 1,000 objects that every
 * method cycles through in the same order.
 *
 * <ul>
 *   <li>{@code get}: the store's {@code get} (a script: HGET + PEXPIRE); raw {@code HGET} of
 *       the same field + decode; raw {@code GETEX key PX ttl} of the same value in the original
 *       one-key-per-object layout + decode.
 *   <li>{@code put}: the store's {@code put} (a script: EXISTS + HSET + PEXPIRE); encode + raw
 *       pipelined {@code HSET} + {@code PEXPIRE}, one round trip.
 * </ul>
 *
 * <p>Writes put back the values already stored, so every fork sees the same data.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CanvasOpsBench extends RedisBench {
  static final String PROJECT = "ops";
  static final int OBJECTS = 1_000;

  @Param({"jackson", "raw"})
  public String codec = "jackson";

  private CanvasStore<Object> store;
  private Canvas canvas;
  private byte[][] originalKeys = new byte[0][];
  private final GetExParams getEx = GetExParams.getExParams().px(Env.CANVAS_TTL.toMillis());
  private final long ttl = Env.CANVAS_TTL.toMillis();
  private final Cycle cycle = new Cycle(OBJECTS);

  @Setup(Level.Trial)
  public void setUp() {
    canvas = Canvas.plant(jedis(), PROJECT, OBJECTS, codec);
    originalKeys = Stream.of(canvas.ids).map(id -> Env.originalObjectKey(PROJECT, id))
        .toArray(byte[][]::new);
    store = Stores.bareCanvas(stores(), canvas.codec);
  }


  @Benchmark
  public Optional<Object> getLibrary() {
    return store.get(PROJECT, canvas.ids[cycle.next()]);
  }

  @Benchmark
  public Object getRawHget() {
    return canvas.codec.decode(jedis().hget(canvas.hash, canvas.fields[cycle.next()]));
  }

  @Benchmark
  public Object getRawGetexOriginalLayout() {
    return canvas.codec.decode(jedis().getEx(originalKeys[cycle.next()], getEx));
  }

  @Benchmark
  public void putLibrary() {
    int i = cycle.next();
    store.put(PROJECT, canvas.ids[i], canvas.values[i]);
  }

  @Benchmark
  public void putRawPipelinedHsetPexpire() {
    int i = cycle.next();
    byte[] value = canvas.codec.encode(canvas.values[i]);
    try (AbstractPipeline p = jedis().pipelined()) {
      p.hset(canvas.hash, canvas.fields[i], value);
      p.pexpire(canvas.hash, ttl);
      p.sync();
    }
  }
}
