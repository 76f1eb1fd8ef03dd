package io.canvasstate.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import redis.clients.jedis.UnifiedJedis;

/**
 * Loading a whole canvas of {@code n} objects: {@code RedisCanvasStore.getAll} against raw
 * {@code HGETALL} of the same hash with the same decodes into the same kind of map, and against
 * the original backend's layout, {@code SMEMBERS} of the id set then one {@code GET} (one round
 * trip) per id, with the same decodes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GetAllBench extends RedisBench {
  @Param({"100", "1000", "10000"})
  public int n = 1_000;

  @Param({"jackson", "raw"})
  public String codec = "jackson";

  private CanvasStore<Object> store;
  private Codec<Object> objectCodec;
  private String project = "";
  private byte[] hash = new byte[0];
  private byte[] idSet = new byte[0];

  @Setup(Level.Trial)
  public void setUp() {
    project = "load-" + n;
    List<Shape> shapes = Data.shapes(n);
    objectCodec = Data.codec(codec);
    hash = Env.objectsKey(project);
    idSet = Env.originalIdsKey(project);
    Env.plantProject(jedis(), project, shapes.stream().map(Shape::id).toList(), Data.json(shapes));
    store = Stores.bareCanvas(stores(), objectCodec);
  }

  @Benchmark
  public Map<String, Object> getAllLibrary() {
    return store.getAll(project);
  }

  @Benchmark
  public Map<String, Object> getAllRawHgetall() {
    Map<byte[], byte[]> raw = jedis().hgetAll(hash);
    Map<String, Object> out = new HashMap<>((int) (raw.size() / 0.75f) + 1);
    for (Map.Entry<byte[], byte[]> e : raw.entrySet()) {
      out.put(new String(e.getKey(), UTF_8), objectCodec.decode(e.getValue()));
    }
    return out;
  }

  @Benchmark
  public Map<String, Object> getAllRawOriginalLayout() {
    UnifiedJedis j = jedis();
    Set<byte[]> ids = j.smembers(idSet);
    Map<String, Object> out = new HashMap<>((int) (ids.size() / 0.75f) + 1);
    for (byte[] id : ids) {
      String objectId = new String(id, UTF_8);
      byte[] value = j.get(Env.originalObjectKey(project, objectId));
      if (value != null) {
        out.put(objectId, objectCodec.decode(value));
      }
    }
    return out;
  }
}
