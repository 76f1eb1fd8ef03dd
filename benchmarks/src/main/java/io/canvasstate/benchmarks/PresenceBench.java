package io.canvasstate.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.canvasstate.PresenceStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;

/**
 * Presence of 1,000 users with the Jackson codec: {@code RedisPresenceStore.put} (a heartbeat)
 * and {@code getAll} against raw Jedis doing the same Redis work on the same keys.
 *
 * <ul>
 *   <li>{@code put}: the store's {@code put} (one script: HSET, ZADD of the expiry, two
 *       PEXPIREs); encode + raw pipelined {@code HSET} + {@code ZADD} + {@code PEXPIRE} +
 *       {@code PEXPIRE}, the expiry from the client's clock.
 *   <li>{@code getAll}: the store's {@code getAll} (a pipeline: the pruning script, HGETALL);
 *       raw pipelined {@code ZREMRANGEBYSCORE} of the expired + {@code HGETALL}, then the same
 *       decodes.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PresenceBench extends RedisBench {
  static final int USERS = 1_000;

  private PresenceStore<Cursor> store;
  private String[] users = new String[0];
  private byte[][] fields = new byte[0][];
  private Cursor[] cursors = new Cursor[0];
  private final byte[] hash = Env.bytes(Env.SCHEMA.presenceKey());
  private final byte[] active = Env.bytes(Env.SCHEMA.activeUsersKey());
  private final long ttl = Env.PRESENCE_TTL.toMillis();
  private final Cycle cycle = new Cycle(USERS);

  @Setup(Level.Trial)
  public void setUp() {
    List<Cursor> all = Data.cursors(USERS);
    cursors = all.toArray(Cursor[]::new);
    users = all.stream().map(Cursor::userId).toArray(String[]::new);
    fields = all.stream().map(c -> Env.bytes(c.userId())).toArray(byte[][]::new);
    jedis().del(hash, active);
    store = Stores.barePresence(stores(), Data.CURSORS);
    for (Cursor c : cursors) {
      store.put(c.userId(), c);
    }
  }


  @Benchmark
  public void presencePutLibrary() {
    int i = cycle.next();
    store.put(users[i], cursors[i]);
  }

  @Benchmark
  public void presencePutRawPipelined() {
    int i = cycle.next();
    byte[] value = Data.CURSORS.encode(cursors[i]);
    try (AbstractPipeline p = jedis().pipelined()) {
      p.hset(hash, fields[i], value);
      p.zadd(active, System.currentTimeMillis() + ttl, fields[i]);
      p.pexpire(hash, ttl);
      p.pexpire(active, ttl);
      p.sync();
    }
  }

  @Benchmark
  public Map<String, Cursor> presenceGetAllLibrary() {
    return store.getAll();
  }

  @Benchmark
  public Map<String, Cursor> presenceGetAllRawPipelined() {
    Response<Map<byte[], byte[]>> all;
    try (AbstractPipeline p = jedis().pipelined()) {
      p.zremrangeByScore(active, Double.NEGATIVE_INFINITY, System.currentTimeMillis() - 1);
      all = p.hgetAll(hash);
      p.sync();
    }
    Map<byte[], byte[]> raw = all.get();
    Map<String, Cursor> out = new HashMap<>((int) (raw.size() / 0.75f) + 1);
    for (Map.Entry<byte[], byte[]> e : raw.entrySet()) {
      out.put(new String(e.getKey(), UTF_8), Data.CURSORS.decode(e.getValue()));
    }
    return out;
  }
}
