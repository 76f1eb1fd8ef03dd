package io.canvasstate.redis.testing;

import io.canvasstate.StoreConfig.HostPort;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code redis-server} process (a server, a cluster node or a sentinel) that a test started
 * on a loopback port; it is killed at JVM exit at the latest. Not thread-safe.
 *
 * <p>The process writes its log to {@code <dir>/<name>.log}; start failures quote its tail.
 */
public final class ServerProcess implements AutoCloseable {
  /** The address every test server listens on. */
  public static final String HOST = "127.0.0.1";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Set<ServerProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ServerProcess::kill),
        "redis-process-reaper"));
  }

  private final String name;
  private final Path dir;
  private final int port;
  private final List<String> command;
  private Process process;

  private ServerProcess(String name, Path dir, int port, List<String> command) {
    this.name = name;
    this.dir = dir;
    this.port = port;
    this.command = List.copyOf(command);
    this.process = launch();
  }

  /**
   * Starts {@code redis-server} with {@code args} and waits until it accepts connections on
   * {@code port}. The args must make it listen there (on {@link #HOST}); the working directory is
   * {@code dir}.
   *
   * @throws IllegalStateException if it exits or does not listen within 30 s (with its log)
   */
  public static ServerProcess start(String name, Path dir, int port, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add("redis-server");
    command.addAll(args);
    return new ServerProcess(name, dir, port, command);
  }

  /**
   * Starts another server's {@code command} (such as {@code node dynalite/cli.js --port N}) the
   * same way: log, restart and kill as for {@code redis-server}.
   *
   * @throws IllegalStateException if it exits or does not listen within 30 s (with its log)
   */
  public static ServerProcess startCommand(String name, Path dir, int port, List<String> command) {
    return new ServerProcess(name, dir, port, command);
  }

  /**
   * The arguments every plain test server gets: loopback only, nothing on disk, quiet.
   *
   * @param port the plain-text port, or 0 for none (a TLS-only server)
   */
  public static List<String> baseArgs(int port) {
    return List.of("--port", Integer.toString(port), "--bind", HOST, "--save", "",
        "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning",
        "--daemonize", "no", "--repl-diskless-sync-delay", "0");
  }

  /**
   * Makes sure the binaries are on the PATH: on CI (env {@code CI} set) a missing one fails the
   * test; elsewhere the test is skipped with the reason, as {@link RedisProcess#missing} decides.
   */
  public static void requireBinaries(String... names) {
    for (String binary : names) {
      boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
          .anyMatch(p -> Files.isExecutable(Path.of(p, binary)));
      if (found) {
        continue;
      }
      throw RedisProcess.missing(binary + " is not on the PATH; install Redis 7 (Debian:"
          + " redis-server, redis-tools) to run these tests");
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public HostPort hostPort() {
    return new HostPort(HOST, port);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process with SIGKILL, as a crash would, and waits for it to be gone. */
  public void kill() {
    process.destroyForcibly();
    awaitExit();
  }

  /**
   * Starts the same command again on the same port and directory (a cluster node keeps its
   * nodes.conf there and rejoins).
   *
   * @throws IllegalStateException if it is still running, or does not come up
   */
  public void restart() {
    if (process.isAlive()) {
      throw new IllegalStateException(name + " is still running");
    }
    process = launch();
  }

  /** The last lines of the process' log, for failure messages. */
  public String logTail() {
    Path log = dir.resolve(name + ".log");
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Stops the process with SIGSTOP: it keeps its connections but answers nothing, as a master
   * that hangs mid-traffic does. {@link #kill()} ends it still.
   */
  public void pause() {
    try {
      Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      if (!stop.waitFor(10, TimeUnit.SECONDS) || stop.exitValue() != 0) {
        throw new IllegalStateException("kill -STOP " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -STOP: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending SIGSTOP", e);
    }
  }

  @Override
  public void close() {
    kill();
  }

  @Override
  public String toString() {
    return name + "@" + HOST + ":" + port;
  }

  /** Deletes a directory tree, ignoring what is already gone. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Process launch() {
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
    Process started;
    try {
      started = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    LIVE.add(this);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!started.isAlive()) {
        throw new IllegalStateException(this + " exited with " + started.exitValue()
            + " on start:\n" + logTail());
      }
      if (listening()) {
        return started;
      }
      sleepBriefly();
    }
    started.destroyForcibly();
    throw new IllegalStateException(this + " did not listen within " + START_TIMEOUT + ":\n"
        + logTail());
  }

  private boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(this + " did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing " + this, e);
    }
    LIVE.remove(this);
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting redis-server", e);
    }
  }
}
