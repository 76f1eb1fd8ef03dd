package io.canvasstate.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canvasstate.examples.HeadlessChromium;
import io.canvasstate.redis.testing.RedisServerExtension;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the Spring Boot canvas server on one Redis: two browser tabs (headless
 * Chromium), one on each, see each other's shapes and cursors; a real Prometheus scrapes both
 * and has CanvasState's meters; the CloudWatch profile puts the same meters in its registry.
 * With {@code CI} set, a missing {@code chromium} or {@code prometheus} fails the test.
 */
class SpringCanvasServerTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final List<ConfigurableApplicationContext> APPS = new ArrayList<>();
  private static URI a;
  private static URI b;

  @BeforeAll
  static void startTwoInstances() {
    String prefix = "spring-example-" + ProcessHandle.current().pid() + ":";
    a = start(prefix);
    b = start(prefix);
  }

  @AfterAll
  static void stopInstances() {
    APPS.forEach(ConfigurableApplicationContext::close);
  }

  private static URI start(String prefix, String... more) {
    List<String> properties = new ArrayList<>(List.of("server.port=0",
        "server.address=127.0.0.1", "canvasstate.redis.url=" + redis.url(),
        "canvasstate.key-prefix=" + prefix, "spring.main.banner-mode=off",
        "logging.level.root=WARN"));
    // Arguments, unlike default properties, win over the profiles' properties files.
    String[] args = Stream.of(more).map(p -> "--" + p).toArray(String[]::new);
    ConfigurableApplicationContext app = new SpringApplicationBuilder(CanvasApplication.class)
        .properties(properties.toArray(String[]::new)).run(args);
    APPS.add(app);
    return URI.create("http://127.0.0.1:"
        + app.getEnvironment().getRequiredProperty("local.server.port") + "/");
  }

  /** The binary on PATH; on CI its absence fails the test, elsewhere it skips it. */
  private static Path required(String name, Optional<Path> found) {
    if (found.isEmpty() && System.getenv("CI") != null) {
      throw new AssertionError("no " + name + " on PATH on CI: .ci/run installs it (apt-get install "
          + name + ")");
    }
    Assumptions.assumeTrue(found.isPresent(), "no " + name + " on PATH (apt-get install " + name
        + ")");
    return found.get();
  }

  private static Optional<Path> onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  @Test
  void twoTabsOnTwoInstances_seeEachOthersShapesAndCursors() throws Exception {
    Path chromium = required("chromium", HeadlessChromium.find());
    try (HeadlessChromium browser = HeadlessChromium.start(chromium);
        HeadlessChromium.Page alice = browser.open(a.resolve("/?project=ws-ui"));
        HeadlessChromium.Page bob = browser.open(b.resolve("/?project=ws-ui"))) {
      for (HeadlessChromium.Page page : List.of(alice, bob)) {
        await().atMost(WAIT).ignoreExceptions().until(() -> page.eval(
            "(document.getElementById('status') || {}).textContent || ''").asText().equals("live"));
      }
      assertThat(alice.eval("document.getElementById('instance').textContent").asText())
          .isNotEqualTo(bob.eval("document.getElementById('instance').textContent").asText());

      // Alice adds a rectangle; Bob's page shows it. Bob adds one; Alice's page shows it.
      alice.bringToFront();
      alice.click("#add");
      await().atMost(WAIT).until(() -> alice.eval("objects.size").asInt() == 1);
      String fromAlice = alice.eval("[...objects.keys()][0]").asText();
      await().atMost(WAIT).until(() -> bob.eval("objects.has('" + fromAlice + "')").asBoolean());
      bob.bringToFront();
      bob.click("#add");
      await().atMost(WAIT).until(() -> alice.eval("objects.size").asInt() == 2);
      assertThat(alice.eval("JSON.stringify([...objects.keys()].sort())").asText())
          .isEqualTo(bob.eval("JSON.stringify([...objects.keys()].sort())").asText());

      // Each sees the other's cursor where the mouse went.
      alice.bringToFront();
      alice.mouse("mouseMoved", 300, 250, false);
      String aliceId = alice.eval("me.id").asText();
      await().atMost(WAIT).untilAsserted(() -> assertThat(bob.eval("cursors.has('" + aliceId
          + "') ? cursors.get('" + aliceId + "').cursor.name : ''").asText())
          .isEqualTo(alice.eval("me.name").asText()));
      bob.bringToFront();
      bob.mouse("mouseMoved", 200, 150, false);
      String bobId = bob.eval("me.id").asText();
      await().atMost(WAIT).untilAsserted(() -> assertThat(alice.eval("cursors.has('" + bobId
          + "') ? cursors.get('" + bobId + "').cursor.name : ''").asText())
          .isEqualTo(bob.eval("me.name").asText()));
      bob.screenshot(Path.of("target", "screenshots", "spring-bob-sees-alice.png"));
    }
  }

  @Test
  void prometheus_scrapesBothInstances_findsCanvasStateMetricsWithValues() throws Exception {
    Path prometheus = required("prometheus", onPath("prometheus"));
    // Some traffic on both instances, over the page's own protocol.
    put(a, "scraped", "rect-a");
    put(b, "scraped", "rect-b");

    Path dir = Files.createTempDirectory("canvasstate-prometheus");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
        "global:", "  scrape_interval: 1s", "  scrape_timeout: 1s",
        "scrape_configs:", "  - job_name: canvasstate", "    metrics_path: /actuator/prometheus",
        "    static_configs:", "      - targets: ['" + a.getAuthority() + "', '"
            + b.getAuthority() + "']", ""));
    Process process = new ProcessBuilder(prometheus.toString(),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=");
      await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .untilAsserted(() -> {
            assertThat(process.isAlive()).as("prometheus is running").isTrue();
            JsonNode puts = query(api, "sum(canvasstate_operations_seconds_count"
                + "{store=\"canvas\",operation=\"put\",outcome=\"success\"})");
            assertThat(value(puts.get(0))).isGreaterThanOrEqualTo(2);
            JsonNode healthy = query(api, "canvasstate_failover_state{state=\"healthy\"}");
            assertThat(healthy).hasSize(2);
            assertThat(healthy).allSatisfy(r -> assertThat(value(r)).isEqualTo(1));
            assertThat(value(query(api, "canvasstate_redis_pool_max").get(0))).isEqualTo(16);
            assertThat(value(query(api, "sum(canvasstate_events_delivered_total)").get(0)))
                .isPositive();
          });
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void health_redisUp_canvasStateComponentUp() throws Exception {
    JsonNode health = JSON.readTree(HTTP.send(HttpRequest.newBuilder(
        a.resolve("/actuator/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
    assertThat(health.path("components").path("canvasState").path("status").asText())
        .isEqualTo("UP");
    assertThat(health.path("components").path("canvasState").path("details")
        .path("failover").asText()).isEqualTo("healthy");
  }

  @Test
  void cloudWatchProfile_sameMetersInTheCloudWatchRegistry() throws Exception {
    System.setProperty("aws.region", "eu-west-1");
    try {
      URI c = start("spring-example-cw-" + ProcessHandle.current().pid() + ":",
          "spring.profiles.active=cloudwatch", "canvasstate.example.cloudwatch.enabled=false",
          // A step registry reports the last whole step: a short one keeps the wait short.
          "canvasstate.example.cloudwatch.step=1s");
      put(c, "cw", "rect-c");
      CloudWatchMeterRegistry registry =
          APPS.get(APPS.size() - 1).getBean(CloudWatchMeterRegistry.class);
      await().atMost(WAIT).untilAsserted(() -> assertThat(registry.find("canvasstate.operations")
          .tags("operation", "put", "outcome", "success").timer())
          .isNotNull().satisfies(t -> assertThat(t.count()).isPositive()));
      assertThat(registry.find("canvasstate.failover.state").gauges()).isNotEmpty();
    } finally {
      System.clearProperty("aws.region");
    }
  }

  /** Puts a rectangle through the WebSocket protocol, and waits for its echo. */
  private static void put(URI app, String project, String objectId) throws Exception {
    CompletableFuture<String> echo = new CompletableFuture<>();
    WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://"
        + app.getAuthority() + "/ws?project=" + project + "&user="
        + URLEncoder.encode("tester-" + objectId, StandardCharsets.UTF_8)),
        new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              String message = text.toString();
              text.setLength(0);
              if (message.contains("\"type\":\"put\"") && message.contains(objectId)) {
                echo.complete(message);
              }
            }
            ws.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    try {
      socket.sendText("{\"type\":\"put\",\"objectId\":\"" + objectId + "\",\"object\":{\"type\":"
          + "\"rect\",\"x\":10,\"y\":20,\"width\":80,\"height\":50,\"color\":\"#e63946\"}}", true)
          .get(10, TimeUnit.SECONDS);
      assertThat(echo.get(30, TimeUnit.SECONDS)).contains("\"x\":10.0");
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }
  }

  private static JsonNode query(URI api, String promql) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).as(response.body()).isEqualTo("success");
    JsonNode result = body.path("data").path("result");
    assertThat(result).as(promql).isNotEmpty();
    return result;
  }

  /** The value of one instant-vector sample: ["<time>", "<value>"]. */
  private static double value(JsonNode sample) {
    return Double.parseDouble(sample.path("value").get(1).asText());
  }
}
