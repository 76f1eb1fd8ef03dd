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
import org.openjdk.jmh.annotations.Threads;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;

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
public class ManyClientsBench {
  static final int THREADS = 16;
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
  private Object[] values = new Object[0];
  private byte[] hash = new byte[0];
  private final long ttl = Env.CANVAS_TTL.toMillis();

  /** Each thread's position in the project, starting apart. */
  @State(Scope.Thread)
  public static class Position {
    private static final java.util.concurrent.atomic.AtomicInteger STARTS =
        new java.util.concurrent.atomic.AtomicInteger();
    private int next = STARTS.getAndAdd(OBJECTS / THREADS) % OBJECTS;

    int next() {
      int i = next;
      next = i + 1 == OBJECTS ? 0 : i + 1;
      return i;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    List<Shape> shapes = Data.shapes(OBJECTS);
    objectCodec = Data.codec(codec);
    values = Data.values(codec, shapes).toArray();
    ids = shapes.stream().map(Shape::id).toArray(String[]::new);
    fields = shapes.stream().map(s -> Env.bytes(s.id())).toArray(byte[][]::new);
    hash = Env.objectsKey(PROJECT);
    UnifiedJedis raw = Env.rawClient();
    jedis = raw;
    Env.plantProject(raw, PROJECT, List.of(ids), Data.json(shapes));
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

  @Benchmark
  public Optional<Object> threads16GetLibrary(Position c) {
    return store.get(PROJECT, ids[c.next()]);
  }

  @Benchmark
  public void threads16PutLibrary(Position c) {
    int i = c.next();
    store.put(PROJECT, ids[i], values[i]);
  }

  @Benchmark
  public Object threads16GetRawHget(Position c) {
    return objectCodec.decode(jedis().hget(hash, fields[c.next()]));
  }

  @Benchmark
  public void threads16PutRawPipelined(Position c) {
    int i = c.next();
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
