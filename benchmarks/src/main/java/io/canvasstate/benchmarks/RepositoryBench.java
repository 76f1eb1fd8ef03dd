package io.canvasstate.benchmarks;

import io.canvasstate.dynamodb.DynamoDbCanvasRepository;
import io.canvasstate.dynamodb.DynamoDbConfig;
import io.canvasstate.jdbc.JdbcCanvasRepository;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.postgresql.ds.PGSimpleDataSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The durable repositories behind persistence, in one run: saving 1,000 changed objects of a
 * project (one {@code save}, as an auto-save worker makes it) and loading a 1,000-object canvas,
 * with {@code DynamoDbCanvasRepository} against a dynalite it starts (LevelDB in a temporary
 * directory, on a free loopback port) and with {@code JdbcCanvasRepository} on a PostgreSQL
 * ({@code BENCH_JDBC_URL}, default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; a
 * table of its own, dropped after). Not part of the {@link Suite}'s plan (no Redis in it): run it
 * with JMH's own main,
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main RepositoryBench -f 1 -wi 2 -i 5
 * </pre>
 *
 * <p>dynalite comes from {@code tools/dynalite} ({@code npm ci} there), found from the working
 * directory upwards, or from {@code DYNALITE_CLI} (the path of its {@code cli.js}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RepositoryBench {
  private static final int N = 1_000;

  @Param({"dynamodb", "jdbc"})
  public String repository = "dynamodb";

  private CanvasRepository<Shape> repo;
  private Runnable cleanUp = () -> {};
  private final String project = "bench-" + Long.toString(System.nanoTime(), 36);
  private List<Map<String, Shape>> versions = List.of();
  private long fence;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    repo = repository.equals("dynamodb") ? dynamoDb() : jdbc();
    List<Shape> shapes = Data.shapes(N);
    Map<String, Shape> a = new HashMap<>();
    Map<String, Shape> b = new HashMap<>();
    for (Shape s : shapes) {
      a.put(s.id(), s);
      b.put(s.id(), changed(s));
    }
    versions = List.of(a, b);
    repo.save(new ProjectChanges<>(project, ++fence, a, Set.of()));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    repo.close();
    cleanUp.run();
  }

  /** One save of 1,000 objects, each changed since the save before. */
  @Benchmark
  public boolean save1000Changed() {
    fence++;
    return repo.save(new ProjectChanges<>(project, fence, versions.get((int) (fence & 1)),
        Set.of()));
  }

  /** One load of the 1,000-object canvas. */
  @Benchmark
  public Map<String, Shape> load1000() {
    return repo.load(project);
  }

  private static Shape changed(Shape s) {
    return new Shape(s.id(), s.type(), s.x() + 1, s.y(), s.width(), s.height(), s.rotation(),
        s.zIndex(), s.fill(), s.stroke(), s.strokeWidth(), s.opacity(), s.text(), s.fontSize(),
        s.points(), s.createdBy(), s.updatedBy(), s.updatedAt() + 1, s.locked(), s.version() + 1);
  }

  private CanvasRepository<Shape> jdbc() {
    String url = System.getenv().getOrDefault("BENCH_JDBC_URL",
        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(url);
    String table = "canvasstate_bench_" + Long.toString(ThreadLocalRandom.current().nextLong()
        >>> 1, 36);
    cleanUp = () -> {
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS " + table);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot drop " + table, e);
      }
    };
    return JdbcCanvasRepository.builder(dataSource, Data.SHAPES).table(table).build();
  }

  private CanvasRepository<Shape> dynamoDb() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("canvasstate-bench-dynalite");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process dynalite = new ProcessBuilder("node", dynaliteCli().toString(), "--host", "127.0.0.1",
        "--port", Integer.toString(port), "--path", dir.resolve("db").toString(),
        "--createTableMs", "0")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("dynalite.log").toFile())
        .start();
    cleanUp = () -> {
      dynalite.destroyForcibly();
      try {
        dynalite.waitFor(10, TimeUnit.SECONDS);
        try (var paths = Files.walk(dir)) {
          paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("cannot clean up dynalite in " + dir, e);
      }
    };
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!listening(port)) {
      if (!dynalite.isAlive() || System.nanoTime() > deadline) {
        cleanUp.run();
        throw new IllegalStateException("dynalite did not start on port " + port);
      }
      Thread.sleep(50);
    }
    DynamoDbConfig config = DynamoDbConfig.builder()
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .region("us-east-1")
        .table("canvas_objects")
        .createTable(true)
        .timeout(Duration.ofSeconds(30))
        .build();
    return DynamoDbCanvasRepository.builder(Data.SHAPES).config(config)
        .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .build();
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path dynaliteCli() {
    String given = System.getenv("DYNALITE_CLI");
    if (given != null && !given.isBlank()) {
      return Path.of(given);
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path cli = d.resolve("tools/dynalite/node_modules/dynalite/cli.js");
      if (Files.isRegularFile(cli)) {
        return cli;
      }
    }
    throw new IllegalStateException("no dynalite: run `npm ci` in tools/dynalite (Node.js 20 or"
        + " newer) or set DYNALITE_CLI to its cli.js");
  }
}
