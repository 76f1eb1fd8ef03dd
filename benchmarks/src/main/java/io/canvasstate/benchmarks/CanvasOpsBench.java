package io.canvasstate.benchmarks;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.redis.RedisStores;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
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
public class CanvasOpsBench {
  static final String PROJECT = "ops";
  static final int OBJECTS = 1_000;

  @Param({"jackson", "raw"})
  public String codec = "jackson";

  private @Nullable RedisStores stores;
  private @Nullable UnifiedJedis jedis;
  private CanvasStore<Object> store;
  private Codec<Object> objectCodec;
  private String[] ids = new String[0];
  private byte[][] fields = new byte[0][];
  private byte[][] originalKeys = new byte[0][];
  private Object[] values = new Object[0];
  private byte[] hash = new byte[0];
  private final GetExParams getEx = GetExParams.getExParams().px(Env.CANVAS_TTL.toMillis());
  private final long ttl = Env.CANVAS_TTL.toMillis();
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    List<Shape> shapes = Data.shapes(OBJECTS);
    List<String> json = Data.json(shapes);
    objectCodec = Data.codec(codec);
    values = Data.values(codec, shapes).toArray();
    ids = shapes.stream().map(Shape::id).toArray(String[]::new);
    fields = shapes.stream().map(s -> Env.bytes(s.id())).toArray(byte[][]::new);
    originalKeys = shapes.stream().map(s -> Env.originalObjectKey(PROJECT, s.id()))
        .toArray(byte[][]::new);
    hash = Env.objectsKey(PROJECT);
    UnifiedJedis raw = Env.rawClient();
    jedis = raw;
    Env.plantProject(raw, PROJECT, List.of(ids), json);
    RedisStores s = RedisStores.create(Env.config());
    stores = s;
    store = Stores.bareCanvas(s, objectCodec);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (stores != null) {
      stores.close();
    }
    if (jedis != null) {
      jedis.close();
    }
  }

  private int next() {
    int i = next;
    next = i + 1 == OBJECTS ? 0 : i + 1;
    return i;
  }

  @Benchmark
  public Optional<Object> getLibrary() {
    return store.get(PROJECT, ids[next()]);
  }

  @Benchmark
  public Object getRawHget() {
    return objectCodec.decode(jedis().hget(hash, fields[next()]));
  }

  @Benchmark
  public Object getRawGetexOriginalLayout() {
    return objectCodec.decode(jedis().getEx(originalKeys[next()], getEx));
  }

  @Benchmark
  public void putLibrary() {
    int i = next();
    store.put(PROJECT, ids[i], values[i]);
  }

  @Benchmark
  public void putRawPipelinedHsetPexpire() {
    int i = next();
    byte[] value = objectCodec.encode(values[i]);
    try (AbstractPipeline p = jedis().pipelined()) {
      p.hset(hash, fields[i], value);
      p.pexpire(hash, ttl);
      p.sync();
    }
  }

  private UnifiedJedis jedis() {
    UnifiedJedis j = jedis;
    if (j == null) {
      throw new IllegalStateException("not set up");
    }
    return j;
  }
}
