package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two canvas server instances on free ports against one real Redis, driven over HTTP as browsers
 * (and a load balancer sending them to either instance) would.
 */
class CanvasServerTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String RECT = "{\"type\":\"rect\",\"x\":10,\"y\":20,\"width\":100,\"height\":50,"
      + "\"color\":\"#e63946\"}";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private CanvasServer a;
  private CanvasServer b;

  @BeforeEach
  void startTwoInstances() throws IOException {
    StoreConfig config = redis.configBuilder()
        .ttl(TtlPolicy.DEFAULT.withPresenceTtl(Duration.ofSeconds(30))).build();
    a = instance(config);
    b = instance(config);
  }

  private CanvasServer instance(StoreConfig config) throws IOException {
    RedisStores stores = RedisStores.create(config);
    resources.add(0, stores);
    CanvasServer server = CanvasServer.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        stores.canvas(JacksonCodec.of(Shape.class)),
        stores.presence(JacksonCodec.of(Cursor.class)), "Redis (test)");
    resources.add(0, server);
    return server;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  @Test
  void storesOpen_failoverSettings_reachTheFailoverStore() throws Exception {
    Environment env = Environment.of(Map.of("REDIS_URL", redis.url(),
        "CANVASSTATE_FAILOVER_PROBE_INTERVAL", "250ms", "CANVASSTATE_FAILOVER_BATCH_SIZE", "7"));

    CanvasServer.Stores stores = CanvasServer.Stores.open(env);
    resources.addAll(stores.resources());

    assertThat(stores.redis()).isNotNull();
    FailoverConfig used = stores.redis().failover().orElseThrow().config();
    assertThat(used.probeInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(used.writeBackBatchSize()).isEqualTo(7);
    assertThat(stores.description()).startsWith("Redis standalone");
  }

  @Test
  void page_isServedWithItsCanvasAndEventStream() throws Exception {
    HttpResponse<String> page = send("GET", a, "/?project=demo", null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
        v -> assertThat(v).startsWith("text/html"));
    assertThat(page.body()).contains("<canvas id=\"board\"", "new EventSource(", "Add rectangle",
        "/api/presence/");
  }

  @Test
  void info_namesTheInstance() throws Exception {
    JsonNode info = json(send("GET", a, "/api/info", null));

    assertThat(info.path("instanceId").asText()).isEqualTo(a.instanceId());
    assertThat(info.path("port").asInt()).isEqualTo(a.port());
    assertThat(a.instanceId()).isNotEqualTo(b.instanceId());
  }

  @Test
  void objectWrittenThroughOneInstance_readsTheSameThroughTheOther() throws Exception {
    assertThat(send("PUT", a, "/api/projects/p1/objects/r1", RECT).statusCode()).isEqualTo(204);
    assertThat(send("PUT", a, "/api/projects/p1/objects/r2", RECT).statusCode()).isEqualTo(204);

    JsonNode fromB = json(send("GET", b, "/api/projects/p1/objects", null));
    JsonNode fromA = json(send("GET", a, "/api/projects/p1/objects", null));
    JsonNode one = json(send("GET", b, "/api/projects/p1/objects/r1", null));

    assertThat(fromB).isEqualTo(fromA);
    assertThat(fromB.size()).isEqualTo(2);
    assertThat(one.path("width").asDouble()).isEqualTo(100);
    assertThat(send("DELETE", b, "/api/projects/p1/objects/r1", null).statusCode()).isEqualTo(204);
    assertThat(send("GET", a, "/api/projects/p1/objects/r1", null).statusCode()).isEqualTo(404);
    assertThat(send("DELETE", a, "/api/projects/p1/objects/r1", null).statusCode()).isEqualTo(404);
    assertThat(send("DELETE", a, "/api/projects/p1/objects", null).statusCode()).isEqualTo(204);
    assertThat(json(send("GET", b, "/api/projects/p1/objects", null)).size()).isZero();
  }

  @Test
  void eventStreamOnOneInstance_seesWritesMadeThroughTheOther() throws Exception {
    try (SseClient stream = SseClient.open(http, uri(b, "/api/projects/p2/events"), WAIT)) {
      send("PUT", a, "/api/projects/p2/objects/r1", RECT);
      send("PUT", a, "/api/projects/p2/objects/r1", RECT.replace("\"x\":10", "\"x\":70"));
      send("DELETE", a, "/api/projects/p2/objects/r1", null);
      send("PUT", a, "/api/projects/p2/objects/r2", RECT);
      send("DELETE", a, "/api/projects/p2/objects", null);
      send("PUT", a, "/api/projects/other/objects/r9", RECT);

      assertThat(stream.await(e -> e.name().equals("cleared"), WAIT)).isPresent();
      List<SseClient.Event> changes = stream.events().stream()
          .filter(e -> !e.name().equals("hello")).toList();
      assertThat(changes).extracting(SseClient.Event::name)
          .containsExactly("put", "put", "removed", "put", "cleared");
      JsonNode moved = CanvasServer.JSON.readTree(changes.get(1).data());
      assertThat(moved.path("objectId").asText()).isEqualTo("r1");
      assertThat(moved.path("object").path("x").asDouble()).isEqualTo(70);
      assertThat(moved.path("instanceId").asText()).isEqualTo(a.instanceId());
    }
  }

  @Test
  void cursorsOfPeopleOnOneInstance_reachTheEventStreamOfTheOther() throws Exception {
    try (SseClient stream = SseClient.open(http, uri(b, "/api/projects/p3/events"), WAIT)) {
      String cursor = "{\"name\":\"Ada\",\"color\":\"#2a9d8f\",\"x\":5,\"y\":6,\"projectId\":\"p3\"}";
      assertThat(send("PUT", a, "/api/presence/ada", cursor).statusCode()).isEqualTo(204);
      send("PUT", a, "/api/presence/elsewhere", cursor.replace("p3", "p4").replace("Ada", "Bob"));
      send("PUT", a, "/api/presence/ada", cursor.replace("\"x\":5", "\"x\":50"));

      assertThat(stream.await(e -> e.name().equals("cursor") && e.data().contains("\"x\":50.0"), WAIT))
          .isPresent();
      JsonNode here = json(send("GET", b, "/api/projects/p3/presence", null));
      assertThat(here.fieldNames()).toIterable().containsExactly("ada");
      assertThat(here.path("ada").path("name").asText()).isEqualTo("Ada");

      assertThat(send("POST", a, "/api/presence/ada/leave", "").statusCode()).isEqualTo(204);
      assertThat(stream.await(e -> e.name().equals("left") && e.data().contains("\"ada\""), WAIT))
          .isPresent();
      assertThat(stream.events()).filteredOn(e -> e.name().equals("cursor"))
          .noneMatch(e -> e.data().contains("Bob"));
    }
  }

  @Test
  void badRequests_getClearErrorsAndChangeNothing() throws Exception {
    HttpResponse<String> badId = send("PUT", a, "/api/projects/p5/objects/a%7Db", RECT);
    HttpResponse<String> badJson = send("PUT", a, "/api/projects/p5/objects/r1", "{not json");
    HttpResponse<String> badColor = send("PUT", a, "/api/projects/p5/objects/r1",
        RECT.replace("#e63946", "red"));
    HttpResponse<String> tooBig = send("PUT", a, "/api/projects/p5/objects/r1",
        "{\"pad\":\"" + "x".repeat(70_000) + "\"}");
    HttpResponse<String> noSuchPath = send("GET", a, "/api/nothing", null);
    HttpResponse<String> wrongMethod = send("POST", a, "/api/projects/p5/objects/r1", RECT);

    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(json(badId).path("error").asText()).contains("objectId", "'}'");
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(json(badJson).path("error").asText()).contains("Shape");
    assertThat(badColor.statusCode()).isEqualTo(400);
    assertThat(json(badColor).path("error").asText()).contains("color must be #rrggbb");
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(noSuchPath.statusCode()).isEqualTo(404);
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(json(send("GET", b, "/api/projects/p5/objects", null)).size()).isZero();
  }

  private URI uri(CanvasServer server, String path) {
    return server.uri().resolve(path);
  }

  private HttpResponse<String> send(String method, CanvasServer server, String path,
      @Nullable String body) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri(server, path)).timeout(WAIT);
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return CanvasServer.JSON.readTree(response.body());
  }
}
