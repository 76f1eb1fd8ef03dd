package io.canvasstate.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.PresenceEvent;
import io.canvasstate.PresenceStore;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomConnection;
import io.canvasstate.RoomEvent;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.Subscription;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.inmemory.InMemoryPresenceStore;
import io.canvasstate.inmemory.InMemoryRoomPresenceStore;
import io.canvasstate.redis.RedisStores;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small but real collaborative canvas server on the JDK's own HTTP server and CanvasState.
 *
 * <p>Run several instances on different ports against one Redis and open the page of each in a
 * browser: they show the same canvas, and each person's cursor moves live on every page.
 *
 * <pre>
 * REDIS_URL=redis://localhost:6379 java -cp examples/target/canvasstate-examples.jar \
 *     io.canvasstate.examples.CanvasServer --port 8081
 * </pre>
 *
 * <table>
 *   <caption>HTTP API ({@code {p}} a project id, {@code {id}} an object id, {@code {u}} a user id)</caption>
 *   <tr><td>{@code GET /?project=p}</td><td>the canvas page</td></tr>
 *   <tr><td>{@code GET /api/info}</td><td>this instance: id, port, store</td></tr>
 *   <tr><td>{@code GET /api/projects/{p}/objects}</td><td>every object: {@code {"id": shape}}</td></tr>
 *   <tr><td>{@code DELETE /api/projects/{p}/objects}</td><td>clears the canvas</td></tr>
 *   <tr><td>{@code GET|PUT|DELETE /api/projects/{p}/objects/{id}}</td><td>one object</td></tr>
 *   <tr><td>{@code GET /api/projects/{p}/presence}</td><td>the cursors on that canvas (global
 *       presence, filtered by project)</td></tr>
 *   <tr><td>{@code GET /api/projects/{p}/connections}</td><td>with rooms: every connection in the
 *       canvas's room, {@code [{"userId", "connectionId", "cursor"}]}</td></tr>
 *   <tr><td>{@code PUT|DELETE /api/projects/{p}/connections/{u}/{c}}</td><td>with rooms: heartbeat
 *       of connection (tab) {@code c} of user {@code u} (a {@link Cursor}), leave</td></tr>
 *   <tr><td>{@code POST /api/projects/{p}/connections/{u}/{c}/leave}</td><td>with rooms: leave, for
 *       {@code navigator.sendBeacon}</td></tr>
 *   <tr><td>{@code GET /api/projects/{p}/events}</td><td>Server-Sent Events: {@code hello},
 *       {@code put}, {@code removed}, {@code cleared}, {@code cursor}, {@code left},
 *       {@code resync}; with rooms {@code connection} and {@code connection-left} of the
 *       canvas's room instead of {@code cursor} and {@code left}</td></tr>
 *   <tr><td>{@code PUT|DELETE /api/presence/{u}}</td><td>heartbeat (a {@link Cursor}), leave</td></tr>
 *   <tr><td>{@code POST /api/presence/{u}/leave}</td><td>leave, for {@code navigator.sendBeacon}</td></tr>
 * </table>
 *
 * <p>Errors are JSON {@code {"error": "..."}}: 400 for bad ids or bodies, 404, 405, 413 for bodies
 * over 64 KiB, 503 when the store cannot be reached. Thread-safe; {@link #close} stops it (the
 * stores stay open: whoever made them closes them).
 */
public final class CanvasServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CanvasServer.class);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int MAX_STREAMS = 200;
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  /** How long a cursor lives without a heartbeat, unless CANVASSTATE_PRESENCE_TTL says otherwise. */
  static final Duration PRESENCE_TTL = Duration.ofSeconds(30);

  private final HttpServer http;
  private final ExecutorService executor;
  private final CanvasStore<Shape> canvas;
  private final PresenceStore<Cursor> presence;
  /** Presence per canvas, per tab, when the server runs with rooms; null for global presence. */
  private final @Nullable RoomPresenceStore<Cursor> rooms;
  private final String storeDescription;
  private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
  private final Subscription presenceSubscription;
  private final byte[] page;

  private CanvasServer(HttpServer http, ExecutorService executor, CanvasStore<Shape> canvas,
      PresenceStore<Cursor> presence, @Nullable RoomPresenceStore<Cursor> rooms,
      String storeDescription) {
    this.http = http;
    this.executor = executor;
    this.canvas = canvas;
    this.presence = presence;
    this.rooms = rooms;
    this.storeDescription = storeDescription;
    this.page = loadPage();
    this.presenceSubscription = presence.subscribe(this::onPresenceEvent);
  }

  /**
   * Starts a server on {@code address} (port 0 for any free port) over the given stores.
   *
   * @param storeDescription what the stores are, shown by {@code /api/info} and the page
   * @throws IOException if the address cannot be bound
   */
  public static CanvasServer start(InetSocketAddress address, CanvasStore<Shape> canvas,
      PresenceStore<Cursor> presence, String storeDescription) throws IOException {
    return start(address, canvas, presence, null, storeDescription);
  }

  /**
   * Starts a server on {@code address} whose page shows the cursors of each canvas's room
   * ({@code rooms}): one cursor per tab, named by its user, gone within the rooms' lease when the
   * server serving it dies. {@code presence} still answers the global presence endpoints.
   *
   * @param storeDescription what the stores are, shown by {@code /api/info} and the page
   * @throws IOException if the address cannot be bound
   */
  public static CanvasServer start(InetSocketAddress address, CanvasStore<Shape> canvas,
      PresenceStore<Cursor> presence, @Nullable RoomPresenceStore<Cursor> rooms,
      String storeDescription) throws IOException {
    requireNonNull(address, "address");
    requireNonNull(canvas, "canvas");
    requireNonNull(presence, "presence");
    requireNonNull(storeDescription, "storeDescription");
    HttpServer http = HttpServer.create(address, 64);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "canvas-http-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    CanvasServer server =
        new CanvasServer(http, executor, canvas, presence, rooms, storeDescription);
    http.createContext("/", server::handle);
    http.setExecutor(executor);
    http.start();
    return server;
  }

  /** The port the server listens on. */
  public int port() {
    return http.getAddress().getPort();
  }

  /** The server's base URI, such as {@code http://127.0.0.1:8081/}. */
  public URI uri() {
    InetSocketAddress a = http.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getHostString();
    return URI.create("http://" + host + ":" + a.getPort() + "/");
  }

  /** The instance id of this server's stores, on every event it originates. */
  public String instanceId() {
    return canvas.instanceId();
  }

  /** How many Server-Sent Events clients are connected now. */
  public int streams() {
    return streams.size();
  }

  /** Ends every event stream and stops the server. Idempotent. */
  @Override
  public void close() {
    presenceSubscription.close();
    streams.forEach(SseStream::end);
    http.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- routing ----

  private void handle(HttpExchange ex) throws IOException {
    try {
      List<String> path = segments(ex.getRequestURI().getRawPath());
      String method = ex.getRequestMethod();
      if (path.isEmpty() || path.equals(List.of("index.html")) || path.equals(List.of("canvas.html"))) {
        require(method, "GET");
        send(ex, 200, "text/html; charset=utf-8", page);
      } else if (path.equals(List.of("api", "info"))) {
        require(method, "GET");
        sendJson(ex, 200, Map.of("instanceId", instanceId(), "port", port(), "store", storeDescription));
      } else if (path.size() >= 4 && path.get(0).equals("api") && path.get(1).equals("projects")) {
        project(ex, method, path.get(2), path.subList(3, path.size()));
      } else if (path.size() >= 3 && path.get(0).equals("api") && path.get(1).equals("presence")) {
        presence(ex, method, path.get(2), path.subList(3, path.size()));
      } else {
        throw new HttpError(404, "no such resource: " + ex.getRequestURI().getRawPath());
      }
    } catch (HttpError e) {
      sendError(ex, e.status, e.getMessage());
    } catch (IllegalArgumentException e) {
      sendError(ex, 400, e.getMessage());
    } catch (StoreUnavailableException e) {
      sendError(ex, 503, "the store is unavailable: " + e.getMessage());
    } catch (StoreException e) {
      LOG.warn("Store failure on {} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
      sendError(ex, 500, "the store failed: " + e.getMessage());
    } catch (IOException e) {
      LOG.debug("Client went away during {} {}", ex.getRequestMethod(), ex.getRequestURI(), e);
    } catch (RuntimeException e) {
      LOG.error("Unexpected failure on {} {}", ex.getRequestMethod(), ex.getRequestURI(), e);
      sendError(ex, 500, "internal error");
    } finally {
      ex.close();
    }
  }

  private void project(HttpExchange ex, String method, String projectId, List<String> rest)
      throws IOException {
    String what = rest.get(0);
    if (what.equals("objects") && rest.size() == 1) {
      switch (method) {
        case "GET" -> sendJson(ex, 200, new java.util.TreeMap<>(canvas.getAll(projectId)));
        case "DELETE" -> {
          canvas.clear(projectId);
          send(ex, 204, null, null);
        }
        default -> throw notAllowed(method, "GET, DELETE");
      }
    } else if (what.equals("objects") && rest.size() == 2) {
      String objectId = rest.get(1);
      switch (method) {
        case "GET" -> sendJson(ex, 200, canvas.get(projectId, objectId)
            .orElseThrow(() -> new HttpError(404, "no object \"" + objectId + "\" in project \""
                + projectId + "\"")));
        case "PUT" -> {
          canvas.put(projectId, objectId, readBody(ex, Shape.class));
          send(ex, 204, null, null);
        }
        case "DELETE" -> {
          if (!canvas.remove(projectId, objectId)) {
            throw new HttpError(404, "no object \"" + objectId + "\" in project \"" + projectId + "\"");
          }
          send(ex, 204, null, null);
        }
        default -> throw notAllowed(method, "GET, PUT, DELETE");
      }
    } else if (what.equals("presence") && rest.size() == 1) {
      require(method, "GET");
      io.canvasstate.KeySchema.requireValidId("projectId", projectId);
      Map<String, Cursor> here = new java.util.TreeMap<>();
      presence.getAll().forEach((user, cursor) -> {
        if (cursor.projectId().equals(projectId)) {
          here.put(user, cursor);
        }
      });
      sendJson(ex, 200, here);
    } else if (what.equals("connections")) {
      connections(ex, method, projectId, rest.subList(1, rest.size()));
    } else if (what.equals("events") && rest.size() == 1) {
      require(method, "GET");
      stream(ex, projectId);
    } else {
      throw new HttpError(404, "no such resource: " + ex.getRequestURI().getRawPath());
    }
  }

  private void presence(HttpExchange ex, String method, String userId, List<String> rest)
      throws IOException {
    if (rest.isEmpty()) {
      switch (method) {
        case "PUT" -> {
          presence.put(userId, readBody(ex, Cursor.class));
          send(ex, 204, null, null);
        }
        case "DELETE" -> {
          presence.remove(userId);
          send(ex, 204, null, null);
        }
        default -> throw notAllowed(method, "PUT, DELETE");
      }
    } else if (rest.equals(List.of("leave"))) {
      require(method, "POST");
      presence.remove(userId);
      send(ex, 204, null, null);
    } else {
      throw new HttpError(404, "no such resource: " + ex.getRequestURI().getRawPath());
    }
  }

  /** The room endpoints of a canvas: list, heartbeat and leave of one connection. */
  private void connections(HttpExchange ex, String method, String projectId, List<String> rest)
      throws IOException {
    RoomPresenceStore<Cursor> room = rooms;
    if (room == null) {
      throw new HttpError(404, "this server runs without rooms; use /api/presence");
    }
    if (rest.isEmpty()) {
      require(method, "GET");
      List<Map<String, Object>> out = new ArrayList<>();
      for (RoomConnection<Cursor> c : room.list(projectId)) {
        out.add(Map.of("userId", c.userId(), "connectionId", c.connectionId(), "cursor", c.value()));
      }
      sendJson(ex, 200, out);
      return;
    }
    if (rest.size() < 2 || rest.size() > 3) {
      throw new HttpError(404, "no such resource: " + ex.getRequestURI().getRawPath());
    }
    String userId = rest.get(0);
    String connectionId = rest.get(1);
    if (rest.size() == 3) {
      if (!rest.get(2).equals("leave")) {
        throw new HttpError(404, "no such resource: " + ex.getRequestURI().getRawPath());
      }
      require(method, "POST");
      room.leave(projectId, userId, connectionId);
      send(ex, 204, null, null);
      return;
    }
    switch (method) {
      case "PUT" -> {
        Cursor cursor = readBody(ex, Cursor.class);
        if (!cursor.projectId().equals(projectId)) {
          throw new HttpError(400, "the cursor's projectId \"" + cursor.projectId()
              + "\" is not the canvas \"" + projectId + "\"");
        }
        room.heartbeat(projectId, userId, connectionId, cursor);
        send(ex, 204, null, null);
      }
      case "DELETE" -> {
        room.leave(projectId, userId, connectionId);
        send(ex, 204, null, null);
      }
      default -> throw notAllowed(method, "PUT, DELETE");
    }
  }

  // ---- events ----

  /** Serves one event stream until the client goes away or the server stops. */
  private void stream(HttpExchange ex, String projectId) throws IOException {
    if (streams.size() >= MAX_STREAMS) {
      throw new HttpError(503, "too many event streams on this instance");
    }
    SseStream stream = new SseStream(projectId);
    // Subscribe before the client reads anything: the page loads the canvas on "hello", so no
    // change can fall between what it loads and the events it gets.
    Subscription subscription = canvas.subscribe(projectId, e -> onCanvasEvent(stream, e));
    RoomPresenceStore<Cursor> room = rooms;
    Subscription roomSubscription = room == null ? null
        : room.subscribe(projectId, e -> onRoomEvent(stream, e));
    try {
      streams.add(stream);
      ObjectNode hello = JSON.createObjectNode()
          .put("instanceId", instanceId()).put("projectId", projectId).put("store", storeDescription)
          .put("rooms", room != null);
      stream.send("hello", hello.toString());
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      ex.getResponseHeaders().set("X-Accel-Buffering", "no");
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        stream.pump(out, KEEP_ALIVE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        LOG.debug("Event stream client for {} went away: {}", projectId, e.toString());
      }
    } finally {
      subscription.close();
      if (roomSubscription != null) {
        roomSubscription.close();
      }
      streams.remove(stream);
    }
  }

  /** A change in the canvas's room, as a {@code connection} or {@code connection-left} event. */
  private static void onRoomEvent(SseStream stream, RoomEvent<Cursor> event) {
    ObjectNode data = JSON.createObjectNode();
    String name;
    if (event instanceof RoomEvent.Joined<Cursor> joined) {
      name = "connection";
      data.put("userId", joined.userId()).put("connectionId", joined.connectionId())
          .put("instanceId", joined.instanceId()).set("cursor", JSON.valueToTree(joined.value()));
    } else if (event instanceof RoomEvent.Updated<Cursor> updated) {
      name = "connection";
      data.put("userId", updated.userId()).put("connectionId", updated.connectionId())
          .put("instanceId", updated.instanceId()).set("cursor", JSON.valueToTree(updated.value()));
    } else if (event instanceof RoomEvent.Left<Cursor> left) {
      name = "connection-left";
      data.put("userId", left.userId()).put("connectionId", left.connectionId())
          .put("reason", left.reason().name()).put("userLeft", left.userLeft())
          .put("instanceId", left.instanceId());
    } else {
      name = "resync";
      data.put("scope", "presence").put("reason", ((RoomEvent.Resync<Cursor>) event).reason().name());
    }
    stream.send(name, data.toString());
  }

  private void onCanvasEvent(SseStream stream, CanvasEvent<Shape> event) {
    ObjectNode data = JSON.createObjectNode();
    String name;
    if (event instanceof CanvasEvent.Put<Shape> put) {
      name = "put";
      data.put("objectId", put.objectId()).put("instanceId", put.instanceId())
          .set("object", JSON.valueToTree(put.value()));
    } else if (event instanceof CanvasEvent.Removed<Shape> removed) {
      name = "removed";
      data.put("objectId", removed.objectId()).put("instanceId", removed.instanceId());
    } else if (event instanceof CanvasEvent.Cleared<Shape> cleared) {
      name = "cleared";
      data.put("instanceId", cleared.instanceId());
    } else {
      name = "resync";
      data.put("scope", "canvas").put("reason", ((CanvasEvent.Resync<Shape>) event).reason().name());
    }
    stream.send(name, data.toString());
  }

  private void onPresenceEvent(PresenceEvent<Cursor> event) {
    if (rooms != null) {
      return; // the page follows the room of its canvas instead
    }
    ObjectNode data = JSON.createObjectNode();
    if (event instanceof PresenceEvent.Joined<Cursor> joined) {
      sendCursor(joined.userId(), joined.presence(), joined.instanceId());
    } else if (event instanceof PresenceEvent.Updated<Cursor> updated) {
      sendCursor(updated.userId(), updated.presence(), updated.instanceId());
    } else if (event instanceof PresenceEvent.Left<Cursor> left) {
      data.put("userId", left.userId()).put("reason", left.reason().name())
          .put("instanceId", left.instanceId());
      streams.forEach(s -> s.send("left", data.toString()));
    } else {
      data.put("scope", "presence")
          .put("reason", ((PresenceEvent.Resync<Cursor>) event).reason().name());
      streams.forEach(s -> s.send("resync", data.toString()));
    }
  }

  private void sendCursor(String userId, Cursor cursor, String instanceId) {
    ObjectNode data = JSON.createObjectNode().put("userId", userId).put("instanceId", instanceId);
    data.set("cursor", JSON.valueToTree(cursor));
    String json = data.toString();
    for (SseStream s : streams) {
      if (s.projectId().equals(cursor.projectId())) {
        s.send("cursor", json);
      }
    }
  }

  // ---- HTTP helpers ----

  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String s : rawPath.split("/")) {
      if (!s.isEmpty()) {
        out.add(URLDecoder.decode(s.replace("+", "%2B"), UTF_8));
      }
    }
    return out;
  }

  private static void require(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw notAllowed(method, allowed);
    }
  }

  private static HttpError notAllowed(String method, String allowed) {
    return new HttpError(405, "method " + method + " not allowed here; use " + allowed);
  }

  private static <V> V readBody(HttpExchange ex, Class<V> type) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new HttpError(413, "request body over " + MAX_BODY_BYTES + " bytes");
    }
    try {
      return JSON.readValue(body, type);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      String detail = cause == e ? e.getOriginalMessage() : cause.getMessage();
      throw new HttpError(400, "bad " + type.getSimpleName() + " JSON: " + detail);
    }
  }

  private static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
    send(ex, status, "application/json", JSON.writeValueAsBytes(body));
  }

  private static void sendError(HttpExchange ex, int status, String message) {
    try {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", message);
      sendJson(ex, status, body);
    } catch (IOException | RuntimeException e) {
      LOG.debug("Could not send error {} to the client", status, e);
    }
  }

  private static void send(
      HttpExchange ex, int status, @Nullable String contentType, byte @Nullable [] body)
      throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().set("Content-Type", contentType);
    }
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if (body == null) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] loadPage() {
    try (InputStream in = CanvasServer.class.getResourceAsStream("canvas.html")) {
      if (in == null) {
        throw new IllegalStateException("canvas.html is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A response status with its message. */
  private static final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  // ---- main ----

  /**
   * Runs one instance: {@code --port N} (default 8080), {@code --host H} (default 127.0.0.1; use
   * 0.0.0.0 to serve other machines). Uses Redis when {@code REDIS_URL} (or the other
   * {@link StoreConfig} settings) is set, the in-memory store otherwise; reads the same settings
   * as {@link RedisStores#fromEnv()}, failover ones included ({@link Stores#open}).
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    int port = 8080;
    String host = "127.0.0.1";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(argument(args, ++i, "--port"));
        case "--host" -> host = argument(args, ++i, "--host");
        default -> {
          System.err.println("usage: CanvasServer [--port 8080] [--host 127.0.0.1]");
          System.exit(2);
        }
      }
    }
    Stores stores = Stores.open(Environment.read());
    List<AutoCloseable> resources = new ArrayList<>(stores.resources());
    String description = stores.description();
    CanvasServer server = start(new InetSocketAddress(host, port), stores.canvas(),
        stores.presence(), stores.rooms(), description);
    resources.add(0, server);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (AutoCloseable r : resources) {
        try {
          r.close();
        } catch (Exception e) {
          LOG.debug("Failed to close {}", r, e);
        }
      }
      stopped.countDown();
    }, "canvas-server-shutdown"));
    System.out.println("CanvasState canvas server, instance " + server.instanceId() + ", store: "
        + description);
    System.out.println("Open " + server.uri() + "?project=demo in a browser (Ctrl-C stops).");
    stopped.await();
  }

  /**
   * The stores {@link #main} serves, opened from the settings as {@link RedisStores#fromEnv()}
   * reads them (failover settings included), with a 30 s presence lifetime unless
   * {@code CANVASSTATE_PRESENCE_TTL} is set.
   *
   * @param redis the Redis stores, or null on the in-memory store
   * @param resources what to close, in order, when the server stops
   */
  record Stores(CanvasStore<Shape> canvas, PresenceStore<Cursor> presence,
      RoomPresenceStore<Cursor> rooms, String description, @Nullable RedisStores redis,
      List<AutoCloseable> resources) {
    /**
     * Opens the stores {@code env} names: Redis if it names one, the in-memory store otherwise.
     *
     * @throws IllegalArgumentException if a Redis setting is unusable
     */
    static Stores open(Environment env) {
      StoreConfig config = env.store();
      if (!env.isSet("CANVASSTATE_PRESENCE_TTL")) {
        config = config.toBuilder().ttl(config.ttl().withPresenceTtl(PRESENCE_TTL)).build();
      }
      if (config.deployment() == StoreConfig.Deployment.NONE) {
        CanvasStore<Shape> canvas =
            InMemoryCanvasStore.builder(JacksonCodec.of(Shape.class)).ttl(config.ttl()).build();
        PresenceStore<Cursor> presence =
            InMemoryPresenceStore.builder(JacksonCodec.of(Cursor.class)).ttl(config.ttl()).build();
        RoomPresenceStore<Cursor> rooms = InMemoryRoomPresenceStore
            .builder(JacksonCodec.of(Cursor.class)).ttl(config.ttl()).config(env.rooms()).build();
        return new Stores(canvas, presence, rooms, "in-memory (no REDIS_URL: this instance only)",
            null, List.of(canvas, presence, rooms));
      }
      RedisStores redis = env.redisStores(config);
      CanvasStore<Shape> canvas = redis.canvas(JacksonCodec.of(Shape.class));
      PresenceStore<Cursor> presence = redis.presence(JacksonCodec.of(Cursor.class));
      RoomPresenceStore<Cursor> rooms = redis.rooms(JacksonCodec.of(Cursor.class), env.rooms());
      String description = "Redis " + config.deployment().name().toLowerCase(java.util.Locale.ROOT)
          + " " + config.redisUrl().map(URI::toString).orElse(config.clusterEndpoints().toString());
      return new Stores(canvas, presence, rooms, description, redis,
          List.of(canvas, presence, rooms, redis));
    }
  }

  private static String argument(String[] args, int i, String name) {
    if (i >= args.length) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args[i];
  }
}
