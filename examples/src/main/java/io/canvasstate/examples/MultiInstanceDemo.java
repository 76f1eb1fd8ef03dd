package io.canvasstate.examples;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.inmemory.InMemoryPresenceStore;
import io.canvasstate.redis.RedisStores;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The proof, as a demo: three canvas server instances behind a round-robin "load balancer",
 * first keeping state in per-instance maps (the original bug: a refresh that lands on another
 * instance sees another canvas), then on CanvasState with Redis (every refresh sees the same
 * canvas), and finally a change written through one instance arriving at the others' event
 * streams, with its latency.
 *
 * <pre>
 * REDIS_URL=redis://localhost:6379 java -cp examples/target/canvasstate-examples.jar \
 *     io.canvasstate.examples.MultiInstanceDemo
 * </pre>
 *
 * <p>Everything goes over real HTTP to real {@link CanvasServer}s on free loopback ports, each
 * with its own stores (its own connection pool and event subscription, as separate processes
 * would have). Keys live under a fresh prefix ({@code demo-<random>:}) and are removed at the end.
 */
public final class MultiInstanceDemo {
  /** How many instances run. */
  public static final int INSTANCES = 3;
  /** How many objects are created through the first instance. */
  public static final int OBJECTS = 10;
  /** How many round-robin refreshes are made. */
  public static final int REFRESHES = 20;
  private static final String PROJECT = "demo";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /**
   * What the demo saw.
   *
   * @param mapCounts the object count each refresh saw with per-instance maps
   * @param storeCounts the object count each refresh saw with CanvasState on Redis
   * @param deliveries the change event's arrival at each other instance
   */
  public record Result(List<Integer> mapCounts, List<Integer> storeCounts, List<Delivery> deliveries) {
    public Result {
      mapCounts = List.copyOf(mapCounts);
      storeCounts = List.copyOf(storeCounts);
      deliveries = List.copyOf(deliveries);
    }
  }

  /**
   * A change event that arrived at an instance's event stream.
   *
   * @param instance the instance's name, {@code B} or {@code C}
   * @param objectId the object written
   * @param fromInstanceId the id of the instance that wrote it, as the event says
   * @param latency from sending the write to instance A until the event arrived
   */
  public record Delivery(String instance, String objectId, String fromInstanceId, Duration latency) {}

  private MultiInstanceDemo() {}

  /** Runs the demo against {@code REDIS_URL}, or {@code redis://127.0.0.1:6379} if unset. */
  public static void main(String[] args) throws IOException, InterruptedException {
    // Read every setting, so that a bad one stops this demo as it stops the others; the demo
    // itself runs on the bare Redis stores (no fallback), so only the Redis ones apply.
    StoreConfig config = Environment.read().store();
    if (config.deployment() == StoreConfig.Deployment.NONE) {
      System.out.println("REDIS_URL is not set: using redis://127.0.0.1:6379");
      config = config.toBuilder().redisUrl("redis://127.0.0.1:6379").build();
    }
    Result result = run(config, System.out);
    boolean proven = distinct(result.mapCounts()) > 1
        && result.storeCounts().stream().allMatch(c -> c == OBJECTS)
        && result.deliveries().size() == INSTANCES - 1;
    System.exit(proven ? 0 : 1);
  }

  /**
   * Runs the three phases, printing what happens to {@code out}, and returns the numbers.
   *
   * @throws IOException if a server cannot start or an HTTP call fails
   */
  public static Result run(StoreConfig config, PrintStream out) throws IOException, InterruptedException {
    requireNonNull(config, "config");
    requireNonNull(out, "out");
    String prefix = config.keySchema().prefix()
        + String.format("demo-%06x:", ThreadLocalRandom.current().nextInt(1 << 24));
    StoreConfig demoConfig = config.toBuilder().keyPrefix(prefix).fallbackEnabled(false).build();
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    out.println("CanvasState multi-instance demo: " + INSTANCES + " instances of the canvas server"
        + " behind a round-robin load balancer.");
    out.println();
    out.println("1) BEFORE: each instance keeps the canvas in its own in-process map");
    List<Integer> mapCounts;
    List<Instance> before = new ArrayList<>();
    try {
      for (int i = 0; i < INSTANCES; i++) {
        before.add(Instance.inMemory(name(i)));
      }
      mapCounts = createAndRefresh(before, http, out);
    } finally {
      before.forEach(Instance::close);
    }
    out.println("   -> " + verdict(mapCounts));
    out.println();

    out.println("2) AFTER: each instance uses CanvasState on Redis ("
        + demoConfig.redisUrl().map(URI::toString).orElse(demoConfig.deployment().name())
        + ", key prefix \"" + prefix + "\")");
    List<Instance> after = new ArrayList<>();
    List<Integer> storeCounts;
    List<Delivery> deliveries;
    try {
      for (int i = 0; i < INSTANCES; i++) {
        after.add(Instance.redis(name(i), demoConfig));
      }
      storeCounts = createAndRefresh(after, http, out);
      out.println("   -> " + verdict(storeCounts));
      out.println();
      out.println("3) CHANGE EVENTS: a write through instance A reaches the event streams of the others");
      deliveries = changeEvents(after, http, out);
      after.get(0).canvas.clear(PROJECT);
    } finally {
      after.forEach(Instance::close);
    }
    return new Result(mapCounts, storeCounts, deliveries);
  }

  private static List<Integer> createAndRefresh(List<Instance> instances, HttpClient http,
      PrintStream out) throws IOException, InterruptedException {
    out.println("   instances: " + instances.stream()
        .map(i -> i.name + " " + i.server.uri() + " (" + i.server.instanceId() + ")")
        .collect(Collectors.joining(", ")));
    Instance first = instances.get(0);
    call(http, "DELETE", first.uri("api/projects/" + PROJECT + "/objects"), null);
    for (int n = 1; n <= OBJECTS; n++) {
      String json = CanvasServer.JSON.writeValueAsString(
          Shape.rect(40 + 70 * ((n - 1) % 5), 40 + 90 * ((n - 1) / 5), 60, 60, "#457b9d"));
      call(http, "PUT", first.uri("api/projects/" + PROJECT + "/objects/shape-" + n), json);
    }
    out.println("   created " + OBJECTS + " objects through instance " + first.name);
    List<Integer> counts = new ArrayList<>();
    for (int r = 0; r < REFRESHES; r++) {
      Instance target = instances.get(r % instances.size());
      JsonNode objects = CanvasServer.JSON.readTree(
          call(http, "GET", target.uri("api/projects/" + PROJECT + "/objects"), null));
      counts.add(objects.size());
      out.printf(Locale.ROOT, "   refresh %2d -> instance %s: %2d objects%n", r + 1, target.name,
          objects.size());
    }
    return counts;
  }

  private static List<Delivery> changeEvents(List<Instance> instances, HttpClient http,
      PrintStream out) throws IOException, InterruptedException {
    List<SseClient> streams = new ArrayList<>();
    List<Delivery> deliveries = new ArrayList<>();
    try {
      for (Instance i : instances.subList(1, instances.size())) {
        streams.add(SseClient.open(http, i.uri("api/projects/" + PROJECT + "/events"), TIMEOUT));
      }
      out.println("   event streams open on " + instances.subList(1, instances.size()).stream()
          .map(i -> "instance " + i.name).collect(Collectors.joining(" and ")));
      String objectId = "live-" + Long.toHexString(System.nanoTime() & 0xffffff);
      String json = CanvasServer.JSON.writeValueAsString(Shape.rect(500, 300, 120, 80, "#e63946"));
      long sent = System.nanoTime();
      call(http, "PUT", instances.get(0).uri("api/projects/" + PROJECT + "/objects/" + objectId), json);
      out.println("   wrote " + objectId + " through instance A (" + instances.get(0).server.instanceId() + ")");
      for (int s = 0; s < streams.size(); s++) {
        Instance target = instances.get(s + 1);
        var arrived = streams.get(s).await(e -> e.name().equals("put")
            && e.data().contains("\"objectId\":\"" + objectId + "\""), TIMEOUT);
        if (arrived.isEmpty()) {
          out.println("   instance " + target.name + ": NO event within " + TIMEOUT.toSeconds() + " s");
          continue;
        }
        JsonNode data = CanvasServer.JSON.readTree(arrived.get().data());
        Duration latency = Duration.ofNanos(arrived.get().arrivedNanos() - sent);
        deliveries.add(new Delivery(target.name, objectId, data.path("instanceId").asText(), latency));
        out.printf(Locale.ROOT, "   instance %s received \"put %s\" (from instance %s) %.1f ms after"
            + " the write was sent%n", target.name, objectId, data.path("instanceId").asText(),
            latency.toNanos() / 1e6);
      }
    } finally {
      streams.forEach(SseClient::close);
    }
    return deliveries;
  }

  private static String verdict(List<Integer> counts) {
    String seen = counts.stream().map(String::valueOf).collect(Collectors.joining(", "));
    return distinct(counts) == 1
        ? "counts seen: " + seen + " -- the SAME canvas on every instance"
        : "counts seen: " + seen + " -- DIFFERENT canvases depending on the instance (the bug)";
  }

  private static long distinct(List<Integer> counts) {
    return counts.stream().distinct().count();
  }

  private static String name(int i) {
    return String.valueOf((char) ('A' + i));
  }

  private static String call(HttpClient http, String method, URI uri, @Nullable String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    if (json == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IOException(method + " " + uri + " answered " + response.statusCode() + ": "
          + response.body());
    }
    return response.body();
  }

  /** One running instance: a server and the stores it owns. */
  private static final class Instance {
    final String name;
    final CanvasServer server;
    final CanvasStore<Shape> canvas;
    final List<AutoCloseable> owned;

    private Instance(String name, CanvasServer server, CanvasStore<Shape> canvas, List<AutoCloseable> owned) {
      this.name = name;
      this.server = server;
      this.canvas = canvas;
      this.owned = owned;
    }

    static Instance inMemory(String name) throws IOException {
      CanvasStore<Shape> canvas = InMemoryCanvasStore.create(JacksonCodec.of(Shape.class));
      PresenceStore<Cursor> presence = InMemoryPresenceStore.create(JacksonCodec.of(Cursor.class));
      CanvasServer server = CanvasServer.start(loopback(), canvas, presence,
          "in-process map of instance " + name);
      return new Instance(name, server, canvas, List.of(server, presence, canvas));
    }

    static Instance redis(String name, StoreConfig config) throws IOException {
      RedisStores redis = RedisStores.create(config);
      CanvasStore<Shape> canvas = redis.canvas(JacksonCodec.of(Shape.class));
      PresenceStore<Cursor> presence = redis.presence(JacksonCodec.of(Cursor.class));
      CanvasServer server;
      try {
        server = CanvasServer.start(loopback(), canvas, presence, "CanvasState on Redis");
      } catch (IOException | RuntimeException e) {
        redis.close();
        throw e;
      }
      return new Instance(name, server, canvas, List.of(server, presence, canvas, redis));
    }

    URI uri(String path) {
      return server.uri().resolve(path);
    }

    void close() {
      for (AutoCloseable c : owned) {
        try {
          c.close();
        } catch (Exception e) {
          // closing the rest anyway
        }
      }
    }

    private static InetSocketAddress loopback() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
  }
}
