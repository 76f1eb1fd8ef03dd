package io.canvasstate.examples;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.inmemory.InMemoryPresenceStore;
import io.canvasstate.redis.RedisStores;
import java.util.Map;

/**
 * Writes and reads a few canvas objects and presences, and says which store served them.
 *
 * <p>With {@code REDIS_URL} (or {@code REDIS_CLUSTER_ENDPOINTS}, {@code REDIS_SENTINEL_*}) set it
 * uses Redis through {@link RedisStores}; otherwise the in-memory store.
 */
public final class QuickStart {
  /** A canvas object, stored as plain JSON. */
  public record Shape(String type, int x, int y, int width, int height, String color) {}

  /** A user's live cursor, stored as plain JSON. */
  public record Cursor(String name, String color, int x, int y) {}

  private QuickStart() {}

  public static void main(String[] args) {
    Environment env = Environment.read();
    StoreConfig config = env.store();
    if (config.deployment() == StoreConfig.Deployment.NONE) {
      System.out.println("No REDIS_URL set: using the in-memory store (state lives in this process only).");
      try (CanvasStore<Shape> canvas = InMemoryCanvasStore.create(JacksonCodec.of(Shape.class));
          PresenceStore<Cursor> presence = InMemoryPresenceStore.create(JacksonCodec.of(Cursor.class))) {
        run(canvas, presence, "in-memory store");
      }
      return;
    }
    System.out.println("Using Redis: " + config);
    try (RedisStores redis = env.redisStores(config);
        CanvasStore<Shape> canvas = redis.canvas(JacksonCodec.of(Shape.class));
        PresenceStore<Cursor> presence = redis.presence(JacksonCodec.of(Cursor.class))) {
      run(canvas, presence, "Redis " + config.deployment().name().toLowerCase(java.util.Locale.ROOT)
          + " (" + config.keySchema().objectsKey("quickstart-demo") + ")");
    }
  }

  static void run(CanvasStore<Shape> canvas, PresenceStore<Cursor> presence, String servedBy) {
    String project = "quickstart-demo";
    canvas.clear(project);
    canvas.put(project, "rect-1", new Shape("rect", 10, 10, 120, 80, "#e63946"));
    canvas.put(project, "rect-2", new Shape("rect", 200, 40, 60, 60, "#457b9d"));
    canvas.putAll(project, Map.of(
        "circle-1", new Shape("circle", 90, 160, 50, 50, "#2a9d8f"),
        "text-1", new Shape("text", 20, 260, 180, 24, "#1d3557")));
    System.out.println("put 4 objects into project " + project + "          -> served by " + servedBy);

    canvas.put(project, "rect-1", new Shape("rect", 15, 12, 120, 80, "#e63946"));
    System.out.println("moved rect-1: " + canvas.get(project, "rect-1").orElseThrow());
    System.out.println("removed circle-1: " + canvas.remove(project, "circle-1"));
    Map<String, Shape> all = canvas.getAll(project);
    System.out.println("getAll -> " + all.size() + " objects (count() says " + canvas.count(project) + "):");
    all.forEach((id, shape) -> System.out.println("  " + id + " = " + shape));
    System.out.println("active projects: " + canvas.activeProjects());

    presence.put("alice", new Cursor("Alice", "#e76f51", 40, 50));
    presence.put("bob", new Cursor("Bob", "#264653", 300, 120));
    presence.put("alice", new Cursor("Alice", "#e76f51", 42, 57));
    System.out.println("presence heartbeats from alice and bob        -> served by " + servedBy);
    System.out.println("active users: " + presence.activeUsers());
    presence.getAll().forEach((user, cursor) -> System.out.println("  " + user + " at " + cursor));
    presence.remove("bob");
    System.out.println("bob left; active users now: " + presence.activeUsers());
  }
}
