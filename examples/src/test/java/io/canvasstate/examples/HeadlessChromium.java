package io.canvasstate.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A headless Chromium driven over the Chrome DevTools Protocol, for tests that use the canvas
 * page as a person would: real mouse events, and JavaScript evaluated in the page to read what
 * it shows. Started on a temporary profile; {@link #close()} kills it and its child processes.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Its own mapper, so that the test-jar needs nothing of the examples jar. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path profile;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  private HeadlessChromium(Process process, Path profile, int port) {
    this.process = process;
    this.profile = profile;
    this.port = port;
  }

  /** The Chromium binary on PATH, if there is one. */
  public static Optional<Path> find() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Starts a browser and waits until its DevTools endpoint answers. */
  public static HeadlessChromium start(Path binary) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("canvasstate-chromium");
    ProcessBuilder builder = new ProcessBuilder(binary.toString(), "--headless=new",
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        // Two tabs act as two people at once: neither may be throttled as a background tab.
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        "--window-size=1200,900", "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("HOME", profile.toString());
    Process p = builder.start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
      if (System.nanoTime() > deadline || !p.isAlive()) {
        kill(p);
        throw new IOException("Chromium did not start its DevTools endpoint");
      }
      Thread.sleep(50);
    }
    return new HeadlessChromium(p, profile, Integer.parseInt(Files.readAllLines(portFile).get(0).trim()));
  }

  /** Opens a tab on {@code url}. */
  public Page open(URI url) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/json/new?" + url))
        .timeout(TIMEOUT).PUT(HttpRequest.BodyPublishers.noBody()).build();
    JsonNode target = JSON.readTree(
        http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    return new Page(http, URI.create(target.path("webSocketDebuggerUrl").asText()));
  }

  @Override
  public void close() throws IOException {
    kill(process);
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One tab, over its DevTools WebSocket. */
  public static final class Page implements WebSocket.Listener, AutoCloseable {
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();

    Page(HttpClient http, URI ws) {
      this.socket = http.newWebSocketBuilder().buildAsync(ws, this).join();
    }

    /** Evaluates a JavaScript expression in the page and returns its value as JSON. */
    public JsonNode eval(String expression) throws Exception {
      ObjectNode params = JSON.createObjectNode()
          .put("expression", expression).put("returnByValue", true).put("awaitPromise", true);
      JsonNode result = call("Runtime.evaluate", params);
      if (result.has("exceptionDetails")) {
        throw new IllegalStateException("page threw: " + result.path("exceptionDetails"));
      }
      return result.path("result").path("value");
    }

    /** A real mouse event at page coordinates: mousePressed, mouseMoved or mouseReleased. */
    public void mouse(String type, double x, double y, boolean pressed) throws Exception {
      ObjectNode params = JSON.createObjectNode()
          .put("type", type).put("x", x).put("y", y)
          .put("button", pressed || !type.equals("mouseMoved") ? "left" : "none")
          .put("buttons", pressed ? 1 : 0).put("clickCount", type.equals("mouseMoved") ? 0 : 1);
      call("Input.dispatchMouseEvent", params);
    }

    /** Saves a PNG of what the tab shows. */
    public void screenshot(Path file) throws Exception {
      JsonNode r = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
      Files.createDirectories(file.getParent());
      Files.write(file, java.util.Base64.getDecoder().decode(r.path("data").asText()));
    }

    /** Makes this the active tab, as a person switching windows does. */
    public void bringToFront() throws Exception {
      call("Page.bringToFront", JSON.createObjectNode());
    }

    /** Clicks the middle of the element {@code selector} names. */
    public void click(String selector) throws Exception {
      JsonNode r = eval("(() => { const b = document.querySelector('" + selector + "')"
          + ".getBoundingClientRect(); return {x: b.x + b.width / 2, y: b.y + b.height / 2}; })()");
      mouse("mousePressed", r.path("x").asDouble(), r.path("y").asDouble(), true);
      mouse("mouseReleased", r.path("x").asDouble(), r.path("y").asDouble(), false);
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
      int id = ids.incrementAndGet();
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      pending.put(id, reply);
      ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
      message.set("params", params);
      socket.sendText(message.toString(), true).join();
      JsonNode r = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new IllegalStateException(method + " failed: " + r.path("error"));
      }
      return r.path("result");
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(partial.toString().getBytes(UTF_8));
          CompletableFuture<JsonNode> reply = pending.remove(message.path("id").asInt(-1));
          if (reply != null) {
            reply.complete(message);
          }
        } catch (IOException e) {
          // not a reply to us
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void close() {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
  }
}
