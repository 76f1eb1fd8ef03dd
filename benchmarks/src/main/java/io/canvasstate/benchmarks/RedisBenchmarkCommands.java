package io.canvasstate.benchmarks;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.redis.RedisStores;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code redis-benchmark -c 16} of the Redis commands that {@link ManyClientsBench}'s calls send.
 * The commands are captured with {@code MONITOR} while the library does a {@code get} and a
 * {@code put} of one object of that benchmark's project, so they are exactly what the library
 * sends (the script SHA, key, TTL, field and value); raw {@code HGET} and {@code HSET} of the same
 * field and value are run too, for reference. Not thread-safe.
 */
final class RedisBenchmarkCommands {
  /** The commands, by name: what each is. */
  static final Map<String, String> NAMES = names();
  static final int CONNECTIONS = 16;

  private final Map<String, List<byte[]>> commands;

  private RedisBenchmarkCommands(Map<String, List<byte[]>> commands) {
    this.commands = commands;
  }

  private static Map<String, String> names() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("get", "what RedisCanvasStore.get sends between TTL slides");
    m.put("put", "the script RedisCanvasStore.put sends");
    m.put("hget", "raw HGET of the same field");
    m.put("hset", "raw HSET of the same field and value");
    return m;
  }

  /**
   * Plants {@link ManyClientsBench}'s project and captures the library's commands.
   *
   * @throws IllegalStateException if the commands could not be captured
   */
  static RedisBenchmarkCommands capture() {
    List<Shape> shapes = Data.shapes(ManyClientsBench.OBJECTS);
    List<String> json = Data.json(shapes);
    String id = shapes.get(0).id();
    Map<String, List<byte[]>> commands = new LinkedHashMap<>();
    try (UnifiedJedis raw = Env.rawClient();
        RedisStores stores = RedisStores.create(Env.config())) {
      Env.plantProject(raw, ManyClientsBench.PROJECT,
          shapes.stream().map(Shape::id).toList(), json);
      CanvasStore<String> store = Stores.bareCanvas(stores, Codec.string());
      byte[] hash = Env.objectsKey(ManyClientsBench.PROJECT);
      // The second of each is the steady state: the first get slides the TTL (as one does at
      // most once per slide interval), the first put may mark the project active.
      List<List<byte[]>> gets = monitor(raw, () -> {
        store.get(ManyClientsBench.PROJECT, id);
        store.get(ManyClientsBench.PROJECT, id);
      });
      List<List<byte[]>> puts = monitor(raw, () -> {
        store.put(ManyClientsBench.PROJECT, id, json.get(0));
        store.put(ManyClientsBench.PROJECT, id, json.get(0));
      });
      commands.put("get", last(gets, hash));
      commands.put("put", last(puts, hash));
      commands.put("hget", List.of(Env.bytes("HGET"), hash, Env.bytes(id)));
      commands.put("hset", List.of(Env.bytes("HSET"), hash, Env.bytes(id), Env.bytes(json.get(0))));
    }
    return new RedisBenchmarkCommands(commands);
  }

  /** Each command as text, long arguments abbreviated, by name. */
  Map<String, String> descriptions() {
    Map<String, String> out = new LinkedHashMap<>();
    commands.forEach((name, args) -> out.put(name, describe(args)));
    return out;
  }

  /**
   * Runs {@code redis-benchmark -c 16 -n requests --csv} of one command against the server.
   *
   * @param name one of {@link #NAMES}
   * @return its requests per second
   * @throws IOException if redis-benchmark cannot be run or its output not read
   * @throws InterruptedException if interrupted while waiting for it
   */
  double run(String bin, String host, int port, String name, int requests)
      throws IOException, InterruptedException {
    List<byte[]> command = commands.get(name);
    if (command == null) {
      throw new IllegalArgumentException("no such command: " + name);
    }
    List<String> argv = new ArrayList<>(List.of(bin, "-h", host, "-p", Integer.toString(port),
        "-c", Integer.toString(CONNECTIONS), "-n", Integer.toString(requests), "--csv"));
    for (byte[] arg : command) {
      String s = new String(arg, US_ASCII);
      if (!Arrays.equals(s.getBytes(US_ASCII), arg)) {
        throw new IllegalStateException("not an ASCII argument, which a command line cannot"
            + " carry exactly: " + describe(command));
      }
      argv.add(s);
    }
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(bin + " failed for " + name + ": " + output);
    }
    return parseRps(output.lines().toList()).orElseThrow(() -> new IOException(
        "no requests/s in redis-benchmark's output for " + name + ": " + output));
  }

  /**
   * The rps of a {@code redis-benchmark --csv} result: the 7th field from the end of its data
   * line (the first field, the command, may itself hold commas and quotes).
   */
  static Optional<Double> parseRps(List<String> lines) {
    for (String line : lines) {
      if (!line.startsWith("\"") || line.startsWith("\"test\"")) {
        continue;
      }
      String[] fields = line.split(",");
      if (fields.length < 8) {
        continue;
      }
      String rps = fields[fields.length - 7].replace("\"", "").trim();
      try {
        return Optional.of(Double.parseDouble(rps));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Runs {@code action} while a MONITOR connection records every command; returns them. */
  private static List<List<byte[]>> monitor(UnifiedJedis raw, Runnable action) {
    URI url = URI.create(Env.redisUrl());
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Jedis monitor = new Jedis(url.getHost(), url.getPort());
    Thread reader = new Thread(() -> {
      try {
        monitor.monitor(new JedisMonitor() {
          @Override
          public void onCommand(String command) {
            lines.add(command);
          }
        });
      } catch (RuntimeException closed) {
        // the connection was closed: capture is over
      }
    }, "redis-monitor");
    reader.setDaemon(true);
    reader.start();
    try {
      String start = "canvasstate-bench-start-" + System.nanoTime();
      String end = "canvasstate-bench-end-" + System.nanoTime();
      awaitEcho(raw, lines, start, true);
      lines.clear();
      action.run();
      awaitEcho(raw, lines, end, false);
      List<List<byte[]>> out = new ArrayList<>();
      for (String line : lines) {
        if (!ranByScript(line)) {
          out.add(parse(line));
        }
      }
      return out;
    } finally {
      monitor.close();
    }
  }

  /** Sends ECHO marker (repeatedly, if {@code repeat}) until MONITOR reports it. */
  private static void awaitEcho(UnifiedJedis raw, BlockingQueue<String> lines, String marker,
      boolean repeat) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    raw.echo(marker);
    List<String> held = new ArrayList<>();
    try {
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line == null) {
          if (repeat) {
            raw.echo(marker);
          }
          continue;
        }
        if (line.contains(marker)) {
          lines.clear();
          lines.addAll(held);
          return;
        }
        held.add(line);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("MONITOR did not report the commands within 10 s");
  }

  /** The last command on {@code key}: a plain one, or an EVALSHA whose first key it is. */
  private static List<byte[]> last(List<List<byte[]>> seen, byte[] key) {
    @Nullable List<byte[]> found = null;
    for (List<byte[]> c : seen) {
      boolean script = new String(c.get(0), UTF_8).equalsIgnoreCase("EVALSHA");
      int at = script ? 3 : 1;
      if (c.size() > at && Arrays.equals(c.get(at), key)) {
        found = c;
      }
    }
    if (found == null) {
      throw new IllegalStateException("the library sent nothing on " + new String(key, UTF_8)
          + "; it may have changed how it talks to Redis");
    }
    return found;
  }

  /**
   * Whether a MONITOR line is a command that a script ran ({@code [0 lua]}), which MONITOR also
   * reports, rather than one a client sent.
   */
  static boolean ranByScript(String line) {
    int open = line.indexOf('[');
    int close = line.indexOf("] ");
    return open >= 0 && close > open && line.substring(open + 1, close).endsWith(" lua");
  }

  /**
   * The arguments of one MONITOR line, {@code 1700000000.123 [0 127.0.0.1:5000] "HGET" "k"},
   * unescaped as Redis escapes them (backslash escapes and {@code \xHH}).
   */
  static List<byte[]> parse(String line) {
    int at = line.indexOf("] ");
    if (at < 0) {
      throw new IllegalArgumentException("not a MONITOR line: " + line);
    }
    List<byte[]> args = new ArrayList<>();
    @Nullable ByteArrayOutputStream arg = null;
    for (int i = at + 2; i < line.length(); i++) {
      char c = line.charAt(i);
      if (arg == null) {
        if (c == '"') {
          arg = new ByteArrayOutputStream();
        }
        continue;
      }
      if (c == '"') {
        args.add(arg.toByteArray());
        arg = null;
      } else if (c == '\\' && i + 1 < line.length()) {
        char e = line.charAt(++i);
        switch (e) {
          case 'n' -> arg.write('\n');
          case 'r' -> arg.write('\r');
          case 't' -> arg.write('\t');
          case 'a' -> arg.write(7);
          case 'b' -> arg.write('\b');
          case 'x' -> {
            arg.write(Integer.parseInt(line.substring(i + 1, i + 3), 16));
            i += 2;
          }
          default -> arg.write(e);
        }
      } else {
        arg.write(c);
      }
    }
    return args;
  }

  private static String describe(List<byte[]> command) {
    StringBuilder b = new StringBuilder();
    for (byte[] arg : command) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(arg.length > 60 ? "<" + arg.length + " B of JSON>" : new String(arg, UTF_8));
    }
    return b.toString();
  }
}
