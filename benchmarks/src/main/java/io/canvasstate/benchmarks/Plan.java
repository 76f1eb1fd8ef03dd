package io.canvasstate.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The order in which the suite runs the benchmarks: groups of a library benchmark and its
 * baselines, with the same parameters, run one right after the other so that they see the same
 * load on this shared machine, in reverse order every other round. Immutable.
 *
 * @param groups the groups, in running order
 */
record Plan(List<Group> groups) {
  static final String REDIS_BENCHMARK = "redis-benchmark";

  Plan {
    groups = List.copyOf(groups);
  }

  /**
   * Benchmarks that are compared with each other.
   *
   * @param type the benchmark class
   * @param params the JMH parameters for this run, such as {@code codec=raw}
   * @param methods the benchmark methods, or {@code redis-benchmark:<command name>} for a run of
   *     {@code redis-benchmark}
   */
  record Group(Class<?> type, Map<String, String> params, List<String> methods) {
    Group {
      params = Map.copyOf(params);
      methods = List.copyOf(methods);
    }

    /** The methods in the order of this round: as listed in even rounds, reversed in odd ones. */
    List<String> order(int round) {
      List<String> out = new ArrayList<>(methods);
      if (round % 2 == 1) {
        java.util.Collections.reverse(out);
      }
      return out;
    }

    /** The full JMH name of a method, as {@code --include} matches it. */
    String benchmark(String method) {
      return type.getName() + "." + method;
    }
  }

  /**
   * The groups of the suite; in {@code quick} mode without the rows that have no target (the
   * original layout at N = 100 and 10,000, the raw-Jedis 16-thread references).
   */
  static Plan all(boolean quick) {
    List<Group> g = new ArrayList<>();
    for (String codec : List.of("jackson", "raw")) {
      Map<String, String> p = Map.of("codec", codec);
      g.add(new Group(CanvasOpsBench.class, p,
          List.of("getLibrary", "getRawHget", "getRawGetexOriginalLayout")));
      g.add(new Group(CanvasOpsBench.class, p,
          List.of("putLibrary", "putRawPipelinedHsetPexpire")));
    }
    for (String codec : List.of("jackson", "raw")) {
      for (int n : Table.SIZES) {
        g.add(new Group(GetAllBench.class, Map.of("codec", codec, "n", Integer.toString(n)),
            quick && n != 1_000
                ? List.of("getAllLibrary", "getAllRawHgetall")
                : List.of("getAllLibrary", "getAllRawHgetall", "getAllRawOriginalLayout")));
      }
    }
    for (int n : Table.CHUNKING_SIZES) {
      Map<String, String> p = Map.of("n", Integer.toString(n));
      g.add(new Group(ChunkingBench.class, p, List.of("putAllChunked", "putAllOneScript")));
      g.add(new Group(ChunkingBench.class, p, List.of("getAllChunked", "getAllRawHgetall")));
    }
    g.add(new Group(PresenceBench.class, Map.of(),
        List.of("presencePutLibrary", "presencePutRawPipelined")));
    g.add(new Group(PresenceBench.class, Map.of(),
        List.of("presenceGetAllLibrary", "presenceGetAllRawPipelined")));
    for (int n : Table.ROOM_SIZES) {
      Map<String, String> p = Map.of("n", Integer.toString(n));
      g.add(new Group(RoomsBench.class, p, List.of("roomListLibrary", "roomListGlobalFiltered")));
      g.add(new Group(RoomsBench.class, p,
          List.of("roomHeartbeatLibrary", "roomHeartbeatGlobal")));
    }
    for (String codec : List.of("jackson", "raw")) {
      Map<String, String> p = Map.of("codec", codec);
      g.add(new Group(InMemoryBench.class, p, List.of("inMemoryGetLibrary", "inMemoryGetMap")));
      g.add(new Group(InMemoryBench.class, p, List.of("inMemoryPutLibrary", "inMemoryPutMap")));
    }
    for (String op : List.of("get", "put", "getAll")) {
      g.add(new Group(FailoverBench.class, Map.of(), List.of(op + "Failover", op + "Bare")));
    }
    g.add(new Group(AutoSaveBench.class, Map.of(),
        List.of("drainThreeInstances", "drainOneInstance")));
    for (String op : List.of("get", "put")) {
      g.add(new Group(MetricsBench.class, Map.of(), List.of(op + "Metered", op + "Plain")));
      String inMemory = "inMemory" + Character.toUpperCase(op.charAt(0)) + op.substring(1);
      g.add(new Group(MetricsCpuBench.class, Map.of(),
          List.of(inMemory + "Metered", inMemory + "Plain")));
    }
    for (String codec : List.of("jackson", "raw")) {
      Map<String, String> p = Map.of("codec", codec);
      g.add(new Group(ManyClientsBench.class, p,
          List.of("threads16GetLibrary", REDIS_BENCHMARK + ":get")));
      g.add(new Group(ManyClientsBench.class, p,
          List.of("threads16PutLibrary", REDIS_BENCHMARK + ":put")));
    }
    if (quick) {
      return new Plan(g);
    }
    Map<String, String> jackson = Map.of("codec", "jackson");
    g.add(new Group(ManyClientsBench.class, jackson,
        List.of("threads16GetRawHget", REDIS_BENCHMARK + ":hget")));
    g.add(new Group(ManyClientsBench.class, jackson,
        List.of("threads16PutRawPipelined", REDIS_BENCHMARK + ":hset")));
    return new Plan(g);
  }

  /** The groups with at least one JMH benchmark whose full name {@code include} finds. */
  Plan matching(String include) {
    Pattern p = Pattern.compile(include);
    return new Plan(groups.stream().filter(gr -> gr.methods().stream()
        .anyMatch(m -> !m.startsWith(REDIS_BENCHMARK) && p.matcher(gr.benchmark(m)).find()))
        .toList());
  }
}
