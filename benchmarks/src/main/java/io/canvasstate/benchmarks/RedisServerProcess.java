package io.canvasstate.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A {@code redis-server} the suite starts for itself on a free loopback port, without
 * persistence, when it is not given a Redis to use; stopped by {@link #close()} or, at the
 * latest, when the JVM exits. Thread-safe.
 */
final class RedisServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Thread hook;

  private RedisServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    this.hook = new Thread(process::destroyForcibly, "redis-server-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts {@code redis-server} from {@code REDIS_SERVER_BIN} or the PATH and waits until it
   * answers.
   *
   * @throws IOException if it cannot be started or does not answer within 10 s
   */
  static RedisServerProcess start() throws IOException {
    String bin = System.getenv().getOrDefault("REDIS_SERVER_BIN", "redis-server");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("canvasstate-bench-redis");
    Path log = dir.resolve("redis.log");
    Process p;
    try {
      p = new ProcessBuilder(List.of(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString()))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new IOException("cannot start " + bin + " (install redis-server, set REDIS_SERVER_BIN,"
          + " or pass --redis redis://host:port): " + e.getMessage(), e);
    }
    RedisServerProcess server = new RedisServerProcess(p, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        server.close();
        throw new IOException(bin + " exited at once; its log: " + Files.readString(log));
      }
      try (Jedis j = new Jedis("127.0.0.1", port)) {
        j.ping();
        return server;
      } catch (RuntimeException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    server.close();
    throw new IOException(bin + " did not answer on port " + port + " within 10 s");
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
