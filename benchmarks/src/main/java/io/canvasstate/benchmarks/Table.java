package io.canvasstate.benchmarks;

import static io.canvasstate.benchmarks.Report.key;

import io.canvasstate.benchmarks.Report.Kind;
import io.canvasstate.benchmarks.Report.MemoryFigure;
import io.canvasstate.benchmarks.Report.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which benchmark stands beside which baseline, and the targets of issue 5: the rows of the
 * ratio table, built from the suite's measurements. Stateless.
 */
final class Table {
  static final double GET_PUT = 1.2;
  static final double GET_ALL = 1.2;
  static final double ORIGINAL_RAW = 20;
  static final double ORIGINAL_JACKSON = 5;
  static final double FLAT = 1.5;
  static final double IN_MEMORY = 1.5;
  static final double FAILOVER = 1.1;
  static final double METRICS = 1.05;
  static final double MANY_CLIENTS = 0.6;
  static final double MEMORY = 1.3;
  static final double SCALE_OUT = 2.5;
  static final int[] SIZES = {100, 1_000, 10_000};
  /** The canvas sizes of the chunking rows (issue 17). */
  static final int[] CHUNKING_SIZES = {1_000, 100_000};
  /** Room sizes of the rooms rows (issue 13), among {@link RoomsBench#USERS} users. */
  static final int[] ROOM_SIZES = {10, 100, 1_000};
  /** Issue 13: listing a 100-person room at least this many times faster than getAll + filter. */
  static final double ROOM_LIST = 20;
  /** Issue 13: a room heartbeat at most this many times the global one. */
  static final double ROOM_HEARTBEAT = 1.2;
  private static final double NONE = Double.NaN;

  private Table() {}

  /**
   * The table.
   *
   * @param results the measurements by {@link Report#key}
   * @param rps {@code redis-benchmark}'s requests per second (one per round), by the key of
   *     its {@link Plan} entry such as {@code redis-benchmark:get codec=raw}; empty if not run
   * @param memory the Redis memory figure, or null if it was not measured
   */
  static Report build(Map<String, Measurement> results, Map<String, Measurement> rps,
      @Nullable MemoryFigure memory) {
    List<Row> rows = new ArrayList<>();
    for (String codec : List.of("jackson", "raw")) {
      String c = "codec=" + codec;
      String with = " (" + codec + " codec)";
      rows.add(Report.compare("get one object" + with, "`RedisCanvasStore.get`",
          "raw `HGET` + decode", results.get(key("CanvasOpsBench.getLibrary", c)),
          results.get(key("CanvasOpsBench.getRawHget", c)), Kind.AT_MOST, GET_PUT));
      rows.add(Report.compare("get one object" + with, "`RedisCanvasStore.get`",
          "raw `GETEX` (original layout) + decode",
          results.get(key("CanvasOpsBench.getLibrary", c)),
          results.get(key("CanvasOpsBench.getRawGetexOriginalLayout", c)), Kind.AT_MOST, GET_PUT));
      rows.add(Report.compare("put one object" + with, "`RedisCanvasStore.put`",
          "encode + raw pipelined `HSET` + `PEXPIRE`",
          results.get(key("CanvasOpsBench.putLibrary", c)),
          results.get(key("CanvasOpsBench.putRawPipelinedHsetPexpire", c)), Kind.AT_MOST,
          GET_PUT));
    }
    for (String codec : List.of("jackson", "raw")) {
      for (int n : SIZES) {
        String[] p = {"codec=" + codec, "n=" + n};
        rows.add(Report.compare("load a canvas, N = " + Report.count(n) + " (" + codec + " codec)",
            "`getAll`", "raw `HGETALL` + decode", results.get(key("GetAllBench.getAllLibrary", p)),
            results.get(key("GetAllBench.getAllRawHgetall", p)), Kind.AT_MOST,
            n == 1_000 ? GET_ALL : NONE));
      }
    }
    for (String codec : List.of("jackson", "raw")) {
      for (int n : SIZES) {
        String[] p = {"codec=" + codec, "n=" + n};
        double target = n != 1_000 ? NONE : codec.equals("raw") ? ORIGINAL_RAW : ORIGINAL_JACKSON;
        rows.add(Report.compare("load a canvas, N = " + Report.count(n) + " (" + codec + " codec)",
            "`getAll`", "original layout: `SMEMBERS` + one `GET` per id + decode",
            results.get(key("GetAllBench.getAllLibrary", p)),
            results.get(key("GetAllBench.getAllRawOriginalLayout", p)), Kind.FASTER, target));
      }
    }
    for (String codec : List.of("jackson", "raw")) {
      Map<Integer, @Nullable Measurement> byN = new LinkedHashMap<>();
      Map<Integer, @Nullable Measurement> baseByN = new LinkedHashMap<>();
      for (int n : SIZES) {
        byN.put(n, results.get(key("GetAllBench.getAllLibrary", "codec=" + codec, "n=" + n)));
        baseByN.put(n,
            results.get(key("GetAllBench.getAllRawHgetall", "codec=" + codec, "n=" + n)));
      }
      rows.add(Report.flatness("time per object of a canvas load (" + codec + " codec)",
          "`getAll`", "raw `HGETALL` + decode", byN, baseByN, FLAT));
    }
    for (int n : CHUNKING_SIZES) {
      String p = "n=" + n;
      rows.add(Report.compare("putAll of N = " + Report.count(n) + " (raw codec)",
          "`putAll` in chunks of 1,000", "the same `putAll` as one script",
          results.get(key("ChunkingBench.putAllChunked", p)),
          results.get(key("ChunkingBench.putAllOneScript", p)), Kind.AT_MOST, NONE));
      rows.add(Report.compare("getAll of N = " + Report.count(n) + " (raw codec)",
          "`getAll` by `HSCAN ... COUNT 1001`", "raw `HGETALL` + decode",
          results.get(key("ChunkingBench.getAllChunked", p)),
          results.get(key("ChunkingBench.getAllRawHgetall", p)), Kind.AT_MOST, NONE));
    }
    rows.add(Report.compare("presence heartbeat, 1,000 users", "`RedisPresenceStore.put`",
        "encode + raw pipelined `HSET` + `ZADD` + 2 × `PEXPIRE`",
        results.get(key("PresenceBench.presencePutLibrary")),
        results.get(key("PresenceBench.presencePutRawPipelined")), Kind.AT_MOST, GET_PUT));
    rows.add(Report.compare("presence list, 1,000 users", "`RedisPresenceStore.getAll`",
        "raw pipelined `ZREMRANGEBYSCORE` + `HGETALL` + decode",
        results.get(key("PresenceBench.presenceGetAllLibrary")),
        results.get(key("PresenceBench.presenceGetAllRawPipelined")), Kind.AT_MOST, GET_PUT));
    for (int n : ROOM_SIZES) {
      String p = "n=" + n;
      String room = "a room of " + Report.count(n) + " among 10,000 users";
      rows.add(Report.compare("presence list, " + room, "`RedisRoomPresenceStore.list`",
          "global `RedisPresenceStore.getAll` + filter by project",
          results.get(key("RoomsBench.roomListLibrary", p)),
          results.get(key("RoomsBench.roomListGlobalFiltered", p)), Kind.FASTER,
          n == 100 ? ROOM_LIST : NONE));
      rows.add(Report.compare("presence heartbeat, " + room, "`RedisRoomPresenceStore.heartbeat`",
          "global `RedisPresenceStore.put`",
          results.get(key("RoomsBench.roomHeartbeatLibrary", p)),
          results.get(key("RoomsBench.roomHeartbeatGlobal", p)), Kind.AT_MOST, ROOM_HEARTBEAT));
    }
    for (String codec : List.of("jackson", "raw")) {
      String c = "codec=" + codec;
      String with = " (" + codec + " codec)";
      rows.add(Report.compare("in-memory get" + with, "`InMemoryCanvasStore.get`",
          "`ConcurrentHashMap.get` + decode",
          results.get(key("InMemoryBench.inMemoryGetLibrary", c)),
          results.get(key("InMemoryBench.inMemoryGetMap", c)), Kind.AT_MOST, IN_MEMORY));
      rows.add(Report.compare("in-memory put" + with, "`InMemoryCanvasStore.put`",
          "encode + `ConcurrentHashMap.put`",
          results.get(key("InMemoryBench.inMemoryPutLibrary", c)),
          results.get(key("InMemoryBench.inMemoryPutMap", c)), Kind.AT_MOST, IN_MEMORY));
    }
    for (String op : List.of("get", "put", "getAll")) {
      rows.add(Report.compare("failover overhead, " + op
          + (op.equals("getAll") ? " of 1,000 objects" : "") + " (jackson codec)",
          "`FailoverStore` over Redis, healthy", "`RedisCanvasStore` alone",
          results.get(key("FailoverBench." + op + "Failover")),
          results.get(key("FailoverBench." + op + "Bare")), Kind.AT_MOST, FAILOVER));
    }
    rows.add(Report.compare("auto-save: drain " + Report.count(AutoSaveBench.PROJECTS)
        + " dirty projects, repository " + AutoSaveBench.SAVE_MILLIS + " ms per save",
        "workers of 3 instances", "the worker of 1 instance",
        results.get(key("AutoSaveBench.drainThreeInstances")),
        results.get(key("AutoSaveBench.drainOneInstance")), Kind.FASTER, SCALE_OUT));
    for (String op : List.of("get", "put")) {
      rows.add(Report.compare("metrics overhead, " + op + " (jackson codec)",
          "`CanvasStateMetrics.canvas` over the default store", "the default store, unmeasured",
          results.get(key("MetricsBench." + op + "Metered")),
          results.get(key("MetricsBench." + op + "Plain")), Kind.AT_MOST, METRICS));
      String inMemory = "inMemory" + Character.toUpperCase(op.charAt(0)) + op.substring(1);
      rows.add(Report.compare("metrics overhead, in-memory " + op + " (jackson codec)",
          "`CanvasStateMetrics.canvas` over `InMemoryCanvasStore`", "`InMemoryCanvasStore` alone",
          results.get(key("MetricsCpuBench." + inMemory + "Metered")),
          results.get(key("MetricsCpuBench." + inMemory + "Plain")), Kind.AT_MOST, METRICS));
    }
    for (String codec : List.of("jackson", "raw")) {
      String c = "codec=" + codec;
      String with = " (" + codec + " codec)";
      rows.add(Report.share("16 threads, get" + with, "`RedisCanvasStore.get`",
          "`redis-benchmark -c 16` of the command it sends",
          results.get(key("ManyClientsBench.threads16GetLibrary", c)),
          rps.get(key(Plan.REDIS_BENCHMARK + ":get", c)),
          MANY_CLIENTS));
      rows.add(Report.share("16 threads, put" + with, "`RedisCanvasStore.put`",
          "`redis-benchmark -c 16` of the script it sends",
          results.get(key("ManyClientsBench.threads16PutLibrary", c)),
          rps.get(key(Plan.REDIS_BENCHMARK + ":put", c)),
          MANY_CLIENTS));
    }
    rows.add(Report.share("16 threads, raw Jedis (reference)",
        "raw Jedis `HGET` + decode (jackson)",
        "`redis-benchmark -c 16 HGET`",
        results.get(key("ManyClientsBench.threads16GetRawHget", "codec=jackson")),
        rps.get(key(Plan.REDIS_BENCHMARK + ":hget", "codec=jackson")),
        NONE));
    rows.add(Report.share("16 threads, raw Jedis (reference)",
        "raw Jedis pipelined `HSET` + `PEXPIRE` (jackson)", "`redis-benchmark -c 16 HSET`",
        results.get(key("ManyClientsBench.threads16PutRawPipelined", "codec=jackson")),
        rps.get(key(Plan.REDIS_BENCHMARK + ":hset", "codec=jackson")), NONE));
    if (memory != null) {
      rows.add(Report.memory(memory, MEMORY));
    }
    return new Report(rows);
  }
}
