package io.canvasstate.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.canvasstate.benchmarks.Report.MemoryFigure;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import redis.clients.jedis.UnifiedJedis;

/**
 * Runs the benchmarks and prints the ratio table: the main class of {@code benchmarks.jar}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--quick] [--rounds N] [--redis redis://host:port]
 *     [--out table.md] [--json DIR] [--include REGEX] [--no-redis-benchmark]
 * </pre>
 *
 * <p>Without {@code --redis} it starts its own {@code redis-server} on a free loopback port. It
 * runs every selected benchmark once per round, one JMH fork each, following the {@link Plan}:
 * a library benchmark and its baselines one right after the other (in reverse order every other
 * round), so that they see the same load on a shared machine; a row's figures are medians over
 * every round's iterations. Beside each 16-thread benchmark it runs {@code redis-benchmark -c 16}
 * of the commands the library sends (see {@link RedisBenchmarkCommands}), when
 * {@code redis-benchmark} is on the PATH.
 * Not thread-safe.
 */
public final class Suite {
  private static final String CPU_NANOS = "cpuNanos";
  private Suite() {}

  /**
   * Runs the suite.
   *
   * @throws Exception if Redis cannot be started or reached, or a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    if (o.help) {
      System.out.println(Options.USAGE);
      return;
    }
    RedisServerProcess own = null;
    String url = o.redis;
    if (url == null) {
      own = RedisServerProcess.start();
      url = own.url();
      System.out.println("# started redis-server at " + url);
    }
    System.setProperty(Env.REDIS_PROPERTY, url);
    try {
      run(o, url);
    } finally {
      if (own != null) {
        own.close();
      }
    }
  }

  private static void run(Options o, String url)
      throws IOException, RunnerException, InterruptedException {
    String loadBefore = Machine.loadAverage();
    Instant started = Instant.now();
    MemoryFigure memory = measureMemory();
    String bin = o.redisBenchmark();
    RedisBenchmarkCommands commands = bin == null || Plan.all(o.quick).matching(o.include).groups()
        .stream().noneMatch(g -> g.type() == ManyClientsBench.class)
        ? null : RedisBenchmarkCommands.capture();
    URI server = URI.create(url);
    if (o.json != null) {
      Files.createDirectories(o.json);
    }
    Map<String, Measurement> results = new LinkedHashMap<>();
    Map<String, Measurement> rps = new LinkedHashMap<>();
    Plan plan = Plan.all(o.quick).matching(o.include);
    for (int round = 0; round < o.rounds; round++) {
      System.out.printf(Locale.ROOT, "# round %d of %d%n", round + 1, o.rounds);
      for (Plan.Group group : plan.groups()) {
        for (String method : group.order(round)) {
          if (method.startsWith(Plan.REDIS_BENCHMARK)) {
            if (commands != null && bin != null) {
              String command = method.substring(method.indexOf(':') + 1);
              double r = commands.run(bin, server.getHost(), server.getPort(), command,
                  o.quick ? 30_000 : 100_000);
              System.out.printf(Locale.ROOT, "# redis-benchmark -c 16 %s: %,.0f requests/s%n",
                  command, r);
              rps.merge(Report.key(method, group.params()), Measurement.of("ops/s", r),
                  (old, add) -> old.plus(List.of(r)));
            }
          } else if (Pattern.compile(o.include).matcher(group.benchmark(method)).find()) {
            runJmh(options(o, url, round, group, method), results);
          }
        }
      }
    }
    Report report = Table.build(results, rps, memory);
    String text = document(o, report, memory, rps,
        commands == null ? Map.of() : commands.descriptions(), started, loadBefore);
    System.out.println();
    System.out.println(text);
    if (o.out != null) {
      Path parent = o.out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(o.out, text, UTF_8);
      System.out.println("# table written to " + o.out);
    }
  }

  private static void runJmh(ChainedOptionsBuilder options, Map<String, Measurement> results)
      throws RunnerException {
    for (RunResult r : new Runner(options.build()).run()) {
      collect(results, r);
    }
  }

  private static ChainedOptionsBuilder options(Options o, String url, int round,
      Plan.Group group, String method) {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include(Pattern.quote(group.benchmark(method)) + "$")
        .forks(1)
        .shouldFailOnError(true)
        .jvmArgsAppend("-D" + Env.REDIS_PROPERTY + "=" + url, "-Xms1g", "-Xmx1g",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    if (o.quick) {
      b.warmupIterations(2).warmupTime(TimeValue.milliseconds(300))
          .measurementIterations(3).measurementTime(TimeValue.milliseconds(300));
    } else {
      b.warmupIterations(3).warmupTime(TimeValue.seconds(1))
          .measurementIterations(5).measurementTime(TimeValue.seconds(1));
    }
    group.params().forEach(b::param);
    if (o.json != null) {
      String name = Report.key(group.type().getSimpleName() + "." + method, group.params())
          .replaceAll("[^A-Za-z0-9.=-]+", "_");
      b.result(o.json.resolve("round-" + (round + 1) + "-" + name + ".json").toString())
          .resultFormat(ResultFormatType.JSON);
    }
    return b;
  }

  /** Files a JMH result under its {@link Report#key}, adding this round's iterations. */
  static void collect(Map<String, Measurement> results, RunResult r) {
    String full = r.getParams().getBenchmark();
    int method = full.lastIndexOf('.');
    int type = full.lastIndexOf('.', method - 1);
    Map<String, String> params = new HashMap<>();
    for (String k : r.getParams().getParamsKeys()) {
      params.put(k, r.getParams().getParam(k));
    }
    String key = Report.key(full.substring(type + 1), params);
    List<Double> scores = new ArrayList<>();
    Collection<BenchmarkResult> forks = r.getBenchmarkResults();
    boolean sampled = r.getParams().getMode() == Mode.SampleTime;
    boolean cpu = r.getPrimaryResult() != null
        && r.getSecondaryResults().containsKey(CPU_NANOS);
    for (BenchmarkResult fork : forks) {
      for (IterationResult it : fork.getIterationResults()) {
        if (cpu) {
          // CPU-bound benchmarks: the thread's CPU time per call (see CpuTime).
          long ops = it.getMetadata().getMeasuredOps();
          scores.add(it.getSecondaryResults().get(CPU_NANOS).getScore() / Math.max(1, ops));
          continue;
        }
        // Sampled modes: the median call of the iteration, which a load spike on this shared
        // machine moves far less than the mean.
        scores.add(sampled ? it.getPrimaryResult().getStatistics().getPercentile(50)
            : it.getPrimaryResult().getScore());
      }
    }
    String unit = cpu ? "ns/op CPU" : r.getPrimaryResult().getScoreUnit();
    results.merge(key, new Measurement(unit, List.of(scores)), (old, now) -> old.plus(scores));
  }

  /** MEMORY USAGE of a 1,000-object project, in both layouts, against the JSON it holds. */
  private static MemoryFigure measureMemory() {
    int n = 1_000;
    String project = "memory";
    List<Shape> shapes = Data.shapes(n);
    List<String> ids = shapes.stream().map(Shape::id).toList();
    List<String> json = Data.json(shapes);
    try (UnifiedJedis jedis = Env.rawClient()) {
      Env.plantProject(jedis, project, ids, json);
      long usage = jedis.memoryUsage(Env.objectsKey(project), 0);
      long original = jedis.memoryUsage(Env.originalIdsKey(project), 0);
      for (String id : ids) {
        original += jedis.memoryUsage(Env.originalObjectKey(project, id), 0);
      }
      long jsonBytes = json.stream().mapToLong(s -> s.getBytes(UTF_8).length).sum();
      long idBytes = ids.stream().mapToLong(s -> s.getBytes(UTF_8).length).sum();
      return new MemoryFigure(n, usage, jsonBytes, idBytes, original);
    }
  }

  private static String document(Options o, Report report, MemoryFigure memory,
      Map<String, Measurement> rps, Map<String, String> commands, Instant started,
      String loadBefore) {
    StringBuilder b = new StringBuilder();
    b.append("Measured ").append(started.truncatedTo(ChronoUnit.SECONDS))
        .append(o.quick ? " in quick mode" : "").append(" on ").append(Machine.describe())
        .append(". Load average ").append(loadBefore).append(" before, ")
        .append(Machine.loadAverage()).append(" after.\n\n");
    b.append(o.rounds).append(o.rounds == 1 ? " round" : " rounds")
        .append(" of one JMH fork per benchmark (")
        .append(o.quick ? "2 × 0.3 s warm-up, 3 × 0.3 s measured"
            : "3 × 1 s warm-up, 5 × 1 s measured")
        .append("); each round runs every library benchmark beside its baseline. Times are the"
            + " median call (JMH sample mode: the median of each iteration's p50); in-memory times"
            + " are CPU time per call (thread CPU time over the iteration's calls), throughputs"
            + " ops/s; each ± half the interquartile range of the iterations; the ratio is of the"
            + " medians")
        .append(o.rounds > 1 ? ", with the lowest and highest per-round ratio" : "")
        .append(".\n\n");
    b.append(report.markdown());
    b.append("\nRedis memory: the ").append(Report.count(memory.objects()))
        .append("-object hash takes ").append(Report.count(memory.usage()))
        .append(" B; the same objects in the original layout (one string key each + an id set)"
            + " take ").append(Report.count(memory.originalLayoutUsage())).append(" B.\n");
    if (!rps.isEmpty()) {
      b.append("\n`redis-benchmark` commands, each run as `redis-benchmark -c 16 -n ")
          .append(o.quick ? "30000" : "100000")
          .append(" --csv <command>` right before the 16-thread benchmarks of every round:\n\n");
      for (Map.Entry<String, String> e : commands.entrySet()) {
        b.append("- ").append(e.getKey()).append(" (")
            .append(RedisBenchmarkCommands.NAMES.get(e.getKey())).append("): `")
            .append(e.getValue()).append("`");
        rps.forEach((key, r) -> {
          if (key.startsWith(Plan.REDIS_BENCHMARK + ":" + e.getKey() + " ")) {
            b.append("; ").append(key.substring(key.indexOf(' ') + 1)).append(": ")
                .append(Report.score(r).replace("ops/s", "requests/s"));
          }
        });
        b.append('\n');
      }
    } else {
      b.append("\n`redis-benchmark` was not run (it was not on the PATH, or --no-redis-benchmark):"
          + " the 16-thread rows have no baseline.\n");
    }
    List<Report.Row> missed = report.missed();
    b.append('\n').append(missed.isEmpty() ? "Every measured target is met.\n"
        : missed.size() + " measured target(s) not met: "
            + String.join("; ", missed.stream().map(r -> r.operation() + " vs " + r.baseline())
                .toList()) + ".\n");
    return b.toString();
  }

  /** The command line. */
  static final class Options {
    static final String USAGE = """
        usage: java -jar benchmarks.jar [options]
          --quick               short iterations, one round, no rows without a target
                                (about 3 minutes)
          --rounds N            rounds of every benchmark (default 3, quick 1)
          --redis URL           the Redis to use (default: start redis-server on a free port)
          --out FILE            also write the Markdown table to FILE
          --json DIR            also write JMH's JSON results of each round to DIR
          --redis-benchmark BIN the redis-benchmark to run (default: the one on the PATH)
          --no-redis-benchmark  do not run redis-benchmark
          --include REGEX       only the benchmarks matching REGEX (default: all)""";

    boolean quick;
    boolean help;
    int rounds = -1;
    @Nullable String redis;
    @Nullable Path out;
    @Nullable Path json;
    @Nullable String redisBenchmark;
    boolean noRedisBenchmark;
    String include = "io\\.canvasstate\\.benchmarks\\..*";

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> o.quick = true;
          case "--help", "-h" -> o.help = true;
          case "--rounds" -> o.rounds = Integer.parseInt(value(args, ++i, a));
          case "--redis" -> o.redis = value(args, ++i, a);
          case "--out" -> o.out = Path.of(value(args, ++i, a));
          case "--json" -> o.json = Path.of(value(args, ++i, a));
          case "--redis-benchmark" -> o.redisBenchmark = value(args, ++i, a);
          case "--no-redis-benchmark" -> o.noRedisBenchmark = true;
          case "--include" -> o.include = value(args, ++i, a);
          default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
        }
      }
      if (o.rounds < 0) {
        o.rounds = o.quick ? 1 : 3;
      }
      if (o.rounds < 1) {
        throw new IllegalArgumentException("--rounds must be at least 1");
      }
      return o;
    }

    /** The redis-benchmark binary to run, or null for none. */
    @Nullable String redisBenchmark() {
      if (noRedisBenchmark) {
        return null;
      }
      if (redisBenchmark != null) {
        return redisBenchmark;
      }
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "redis-benchmark"))) {
          return Path.of(dir, "redis-benchmark").toString();
        }
      }
      return null;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
      }
      return args[i];
    }
  }

  /** What the machine is, for the table's heading. */
  static final class Machine {
    private Machine() {}

    static String describe() {
      String cpu = Optional.ofNullable(firstValue("/proc/cpuinfo", "model name"))
          .orElse(System.getProperty("os.arch"));
      String mem = Optional.ofNullable(firstValue("/proc/meminfo", "MemTotal"))
          .map(v -> Math.round(Long.parseLong(v.replace("kB", "").trim()) / 1048576.0) + " GiB")
          .orElse("? GiB");
      String cores = Optional.ofNullable(firstValue("/proc/cpuinfo", "cpu cores"))
          .map(n -> n + " cores").orElse("? cores");
      int usable = Runtime.getRuntime().availableProcessors();
      String pinned = Optional.ofNullable(firstValue("/proc/self/status", "Cpus_allowed_list"))
          .filter(list -> usable == 1)
          .map(list -> " (this run pinned to CPU " + list + ", Redis too if run.sh started it)")
          .orElse("");
      return cpu + ", " + cores + pinned + ", " + mem + " RAM, " + System.getProperty("os.name")
          + " " + System.getProperty("os.version") + ", Java " + System.getProperty("java.version")
          + ", Redis " + redisVersion() + " on loopback";
    }

    static String loadAverage() {
      try {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return parts[0] + " / " + parts[1] + " / " + parts[2];
      } catch (IOException | RuntimeException e) {
        return "unknown";
      }
    }

    private static String redisVersion() {
      try (UnifiedJedis j = Env.rawClient()) {
        for (String line : j.info("server").split("\r?\n")) {
          if (line.startsWith("redis_version:")) {
            return line.substring("redis_version:".length()).trim();
          }
        }
      } catch (RuntimeException e) {
        return "?";
      }
      return "?";
    }

    private static @Nullable String firstValue(String file, String name) {
      try {
        for (String line : Files.readAllLines(Path.of(file))) {
          if (line.startsWith(name)) {
            return line.substring(line.indexOf(':') + 1).trim();
          }
        }
      } catch (IOException | RuntimeException e) {
        return null;
      }
      return null;
    }
  }
}
