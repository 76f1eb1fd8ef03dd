package io.canvasstate.redis.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.opentest4j.TestAbortedException;
import redis.clients.jedis.Jedis;

/**
 * A {@code redis-server} process this harness started on a free loopback port, with its data in
 * a temporary directory: no snapshots, append-only file only when asked for.
 *
 * <p>It can be killed, paused, resumed and restarted on the same port and directory (so that an
 * append-only file survives a kill). Every process is killed when the JVM exits, even if a test
 * forgets to {@link #stop()} it. Cluster or replication tests start several, with
 * {@link #start(Options)} and their own {@code redis-server} arguments.
 *
 * <p>Thread-safe, except {@link #jedis()}.
 */
public final class RedisProcess implements RedisServer {
  /** Where the binary is looked up before PATH: a path to {@code redis-server}. */
  public static final String BINARY_ENV = "REDIS_SERVER_BIN";
  static final String NOT_FOUND =
      "redis-server not found: install it (apt-get install redis-server) or set REDIS_URL";

  private static final Set<RedisProcess> LIVE = ConcurrentHashMap.newKeySet();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (RedisProcess p : LIVE) {
        Process process = p.process;
        if (process != null) {
          process.destroyForcibly();
        }
      }
    }, "redis-process-reaper"));
  }

  /**
   * How to start a server.
   *
   * @param appendFsyncAlways whether to keep an append-only file, synced on every write, so that
   *     a {@link #kill()} loses nothing acknowledged
   * @param extraArgs more {@code redis-server} arguments, such as {@code --cluster-enabled yes}
   */
  public record Options(boolean appendFsyncAlways, List<String> extraArgs) {
    /** No append-only file, no extra arguments. */
    public static final Options DEFAULT = new Options(false, List.of());

    public Options {
      extraArgs = List.copyOf(extraArgs);
    }

    public Options withAppendFsyncAlways() {
      return new Options(true, extraArgs);
    }

    public Options withArgs(String... args) {
      List<String> all = new ArrayList<>(extraArgs);
      all.addAll(List.of(args));
      return new Options(appendFsyncAlways, all);
    }
  }

  private final Path binary;
  private final Options options;
  private final int port;
  private final Path dir;
  private volatile @Nullable Process process;
  private volatile boolean paused;
  private final SharedJedis shared = new SharedJedis(this::connect);

  private RedisProcess(Path binary, Options options, int port, Path dir) {
    this.binary = binary;
    this.options = options;
    this.port = port;
    this.dir = dir;
  }

  /** The {@code redis-server} binary: {@value #BINARY_ENV}, else the first on PATH. */
  public static Optional<Path> findBinary() {
    String configured = System.getenv(BINARY_ENV);
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured.trim());
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        Path candidate = Path.of(entry, "redis-server");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Starts a server with the default options; see {@link #start(Options)}.
   *
   * @throws TestAbortedException if there is no binary and {@code CI} is not set
   * @throws IllegalStateException if there is no binary on CI, or it does not start
   */
  public static RedisProcess start() {
    return start(Options.DEFAULT);
  }

  /**
   * Starts a server and waits until it answers {@code PING}.
   *
   * @throws TestAbortedException if there is no binary and {@code CI} is not set (the test is
   *     skipped, saying why)
   * @throws IllegalStateException if there is no binary on CI (the test fails, saying why), or
   *     the server does not start
   */
  public static RedisProcess start(Options options) {
    Path binary = findBinary().orElseThrow(() -> missing(NOT_FOUND));
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      Path dir;
      try {
        dir = Files.createTempDirectory("canvasstate-redis-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      RedisProcess server = new RedisProcess(binary, options, freePort(), dir);
      try {
        server.launch();
        return server;
      } catch (IllegalStateException e) {
        // Most likely another process took the port between our probe and redis' bind.
        server.stop();
        last = e;
      }
    }
    throw last;
  }

  /**
   * The exception for "no Redis to test against": on CI (env {@code CI} set, and not
   * {@code false}) a failure, elsewhere a skip.
   */
  public static RuntimeException missing(String message) {
    return missing(message, System.getenv("CI"));
  }

  static RuntimeException missing(String message, @Nullable String ci) {
    if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) {
      return new IllegalStateException(message + " (CI is set, so this fails instead of skipping)");
    }
    return new TestAbortedException(message);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void launch() {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(),
        "--port", Integer.toString(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--daemonize", "no",
        "--dir", dir.toString(),
        "--logfile", dir.resolve("redis.log").toString()));
    if (options.appendFsyncAlways()) {
      cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
    } else {
      cmd.addAll(List.of("--appendonly", "no"));
    }
    cmd.addAll(options.extraArgs());
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
    }
    LIVE.add(this);
    paused = false;
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited: " + logTail());
      }
      if (answersPing()) {
        return;
      }
      sleep(20);
    }
    throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
        + START_TIMEOUT + ": " + logTail());
  }

  /** Whether the server answers PING with anything but LOADING (NOAUTH counts: it is up). */
  private boolean answersPing() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 250);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64];
      int n = in.read(buf);
      return n > 0 && !new String(buf, 0, n, UTF_8).startsWith("-LOADING");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** The process id, for signals and diagnostics. */
  public long pid() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    return p.pid();
  }

  /** The data directory: the append-only file and {@code redis.log} are there. */
  public Path dir() {
    return dir;
  }

  /** Whether the process is running (a paused one is). */
  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The last lines of the server's log, for failure messages. */
  public String logTail() {
    try {
      Path log = dir.resolve("redis.log");
      Path out = dir.resolve("stdout.log");
      List<String> lines = new ArrayList<>();
      for (Path f : List.of(out, log)) {
        if (Files.exists(f)) {
          lines.addAll(Files.readAllLines(f, UTF_8));
        }
      }
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public Jedis jedis() {
    return shared.get();
  }

  @Override
  public Jedis connect() {
    return SharedJedis.connect(host(), port);
  }

  @Override
  public boolean isControllable() {
    return true;
  }

  @Override
  public synchronized void kill() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
      awaitExit(p);
    }
    paused = false;
    shared.close();
  }

  @Override
  public synchronized void pause() {
    signal("STOP");
    paused = true;
  }

  @Override
  public synchronized void resume() {
    signal("CONT");
    paused = false;
  }

  @Override
  public synchronized void restart() {
    kill();
    launch();
  }

  private void signal(String name) {
    long pid = pid();
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending SIG" + name, e);
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL if it lingers) and deletes its directory. */
  @Override
  public synchronized void stop() {
    shared.close();
    Process p = process;
    if (p != null) {
      if (paused) {
        p.destroyForcibly();
      } else {
        p.destroy();
      }
      awaitExit(p);
      process = null;
    }
    paused = false;
    LIVE.remove(this);
    deleteDir();
  }

  private static void awaitExit(Process p) {
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void deleteDir() {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(f);
      }
    } catch (IOException | UncheckedIOException e) {
      // a leftover temp directory is harmless
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for redis-server", e);
    }
  }

  @Override
  public String toString() {
    return "RedisProcess[127.0.0.1:" + port + (isAlive() ? "" : ", stopped")
        + (paused ? ", paused" : "") + "]";
  }
}
