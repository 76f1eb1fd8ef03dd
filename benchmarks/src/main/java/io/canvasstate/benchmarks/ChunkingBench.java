package io.canvasstate.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.redis.RedisStores;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import redis.clients.jedis.UnifiedJedis;

/**
 * What bounding the work of each Redis call costs the caller, for canvases of {@code n} objects
 * (raw codec, so that Redis and the network are what is measured): {@code putAll} in chunks of
 * the default 1,000 objects against the same {@code putAll} as one script (chunk size and bytes
 * set past {@code n}), and {@code getAll} by {@code HSCAN ... COUNT 1001} against one raw
 * {@code HGETALL} with the same decodes. Each {@code putAll} rewrites the same objects. The
 * baselines wait up to a minute for their reply: on a loaded machine one call over 100,000
 * objects can take longer than the default {@code REDIS_TIMEOUT} (which is the point).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChunkingBench extends RedisBench {
  @Param({"1000", "100000"})
  public int n = 1_000;

  private final Codec<Object> codec = Data.codec("raw");
  private @Nullable RedisStores oneCall;
  /** The raw client of the {@code HGETALL} baseline, which waits as long as the one script. */
  private @Nullable UnifiedJedis slowRaw;
  private CanvasStore<Object> chunked;
  private CanvasStore<Object> single;
  private Map<String, Object> objects = Map.of();
  private String project = "";
  private byte[] hash = new byte[0];

  @Setup(Level.Trial)
  public void setUp() {
    project = "chunks-" + n;
    hash = Env.objectsKey(project);
    List<Shape> shapes = Data.shapes(n);
    List<String> json = Data.json(shapes);
    Map<String, Object> all = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      all.put(shapes.get(i).id(), json.get(i));
    }
    objects = all;
    chunked = Stores.bareCanvas(stores(), codec);
    // One script of 100,000 objects can run past the default 2 s REDIS_TIMEOUT on a loaded
    // machine (which is the point of chunking); the baseline waits for it.
    RedisStores unchunked = RedisStores.create(Env.config().toBuilder()
        .chunkSize(Integer.MAX_VALUE).chunkBytes(Integer.MAX_VALUE)
        .timeout(Duration.ofMinutes(1)).build());
    oneCall = unchunked;
    slowRaw = Env.rawClient(Duration.ofMinutes(1));
    single = Stores.bareCanvas(unchunked, codec);
    chunked.putAll(project, objects);
  }

  @TearDown(Level.Trial)
  public void closeOneCall() {
    if (oneCall != null) {
      oneCall.close();
      oneCall = null;
    }
    if (slowRaw != null) {
      slowRaw.close();
      slowRaw = null;
    }
  }

  @Benchmark
  public void putAllChunked() {
    chunked.putAll(project, objects);
  }

  @Benchmark
  public void putAllOneScript() {
    single.putAll(project, objects);
  }

  @Benchmark
  public Map<String, Object> getAllChunked() {
    return chunked.getAll(project);
  }

  @Benchmark
  public Map<String, Object> getAllRawHgetall() {
    Map<byte[], byte[]> raw = java.util.Objects.requireNonNull(slowRaw, "setUp").hgetAll(hash);
    Map<String, Object> out = new HashMap<>((int) (raw.size() / 0.75f) + 1);
    for (Map.Entry<byte[], byte[]> e : raw.entrySet()) {
      out.put(new String(e.getKey(), UTF_8), codec.decode(e.getValue()));
    }
    return out;
  }
}
