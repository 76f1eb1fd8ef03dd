package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.canvasstate.RoomConfig;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.redis.RoomCrash;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Canvas server instances with rooms on one real Redis: cursors per canvas and per tab, and the
 * users of a server that dies leaving the other server's canvas within the lease.
 */
class CanvasServerRoomsTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final RoomConfig ROOMS = RoomConfig.builder().lease(Duration.ofMillis(1500))
      .sweepInterval(Duration.ofMillis(100)).build();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private StoreConfig config;
  private CanvasServer a;
  private CanvasServer b;

  @BeforeEach
  void startTwoInstances() throws IOException {
    config = redis.configBuilder()
        .ttl(TtlPolicy.DEFAULT.withPresenceTtl(Duration.ofSeconds(30))).build();
    a = instance().server();
    b = instance().server();
  }

  private RoomServer instance() throws IOException {
    return RoomServer.start(config, ROOMS, "Redis (test)", resources);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  private static String cursor(String name, int x, String project) {
    return "{\"name\":\"" + name + "\",\"color\":\"#2a9d8f\",\"x\":" + x + ",\"y\":6,"
        + "\"projectId\":\"" + project + "\"}";
  }

  @Test
  void twoTabsOfOneUser_onTwoInstances_twoCursorsWithTheSameNameOnlyOnTheirCanvas()
      throws Exception {
    assertThat(send("PUT", a, "/api/projects/r1/connections/ada/tab1", cursor("Ada", 1, "r1"))
        .statusCode()).isEqualTo(204);
    send("PUT", b, "/api/projects/r1/connections/ada/tab2", cursor("Ada", 2, "r1"));
    send("PUT", b, "/api/projects/r2/connections/bob/tab1", cursor("Bob", 3, "r2"));

    JsonNode here = json(send("GET", b, "/api/projects/r1/connections", null));
    assertThat(here).hasSize(2);
    assertThat(here).extracting(c -> c.path("userId").asText() + "/" + c.path("connectionId")
        .asText() + "/" + c.path("cursor").path("name").asText())
        .containsExactly("ada/tab1/Ada", "ada/tab2/Ada");
    assertThat(send("PUT", a, "/api/projects/r1/connections/ada/tab1", cursor("Ada", 1, "r2"))
        .statusCode()).as("a cursor of another canvas").isEqualTo(400);
  }

  @Test
  void eventStream_seesConnectionsOfTheOtherInstanceJoinAndLeave() throws Exception {
    try (SseClient stream = SseClient.open(http, b.uri().resolve("/api/projects/r3/events"), WAIT)) {
      assertThat(stream.events().get(0).data()).contains("\"rooms\":true");
      send("PUT", a, "/api/projects/r3/connections/ada/tab1", cursor("Ada", 5, "r3"));
      send("PUT", a, "/api/projects/r4/connections/bob/tab1", cursor("Bob", 5, "r4"));
      send("PUT", a, "/api/projects/r3/connections/ada/tab1", cursor("Ada", 50, "r3"));

      assertThat(stream.await(e -> e.name().equals("connection")
          && e.data().contains("\"x\":50.0"), WAIT)).isPresent();
      assertThat(send("POST", a, "/api/projects/r3/connections/ada/tab1/leave", "").statusCode())
          .isEqualTo(204);
      assertThat(stream.await(e -> e.name().equals("connection-left")
          && e.data().contains("\"tab1\"") && e.data().contains("\"userLeft\":true"), WAIT))
          .isPresent();
      assertThat(stream.events()).noneMatch(e -> e.data().contains("Bob"));
    }
  }

  @Test
  void instanceDies_itsUsersLeaveTheOtherInstancesCanvasWithinTheLease() throws Exception {
    RoomServer c = instance();
    try (SseClient stream = SseClient.open(http, b.uri().resolve("/api/projects/r5/events"), WAIT)) {
      send("PUT", c.server(), "/api/projects/r5/connections/cy/tab1", cursor("Cy", 1, "r5"));
      send("PUT", b, "/api/projects/r5/connections/dee/tab1", cursor("Dee", 1, "r5"));
      assertThat(json(send("GET", b, "/api/projects/r5/connections", null))).hasSize(2);

      long died = System.nanoTime();
      RoomCrash.crash(c.rooms());
      c.server().close();

      await().atMost(WAIT).until(() -> json(send("GET", b, "/api/projects/r5/connections", null))
          .size() == 1);
      assertThat(stream.await(e -> e.name().equals("connection-left")
          && e.data().contains("\"cy\"") && e.data().contains("EXPIRED"), WAIT)).isPresent();
      assertThat(Duration.ofNanos(System.nanoTime() - died))
          .isLessThan(ROOMS.lease().plusSeconds(3));
    }
  }

  private HttpResponse<String> send(String method, CanvasServer server, String path,
      @Nullable String body) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT);
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return CanvasServer.JSON.readTree(response.body());
  }
}
