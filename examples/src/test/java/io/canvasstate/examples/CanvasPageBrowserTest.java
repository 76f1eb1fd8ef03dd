package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two people, two browser tabs, two server instances on one Redis: one adds a rectangle and
 * drags it with the mouse, the other sees it appear and move, and sees the first one's cursor.
 * Runs in a headless Chromium when one is installed ({@code apt-get install chromium}); skipped
 * otherwise, since the HTTP tests in {@link CanvasServerTest} cover the server without one.
 */
class CanvasPageBrowserTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  private CanvasServer instance(StoreConfig config) throws Exception {
    RedisStores stores = RedisStores.create(config);
    resources.add(0, stores);
    CanvasServer server = CanvasServer.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        stores.canvas(JacksonCodec.of(Shape.class)),
        // As long as the description of a cluster gets: the toolbar must still fit on one line.
        stores.presence(JacksonCodec.of(Cursor.class)),
        "Redis cluster [10.0.0.1:6379, 10.0.0.2:6379, 10.0.0.3:6379] (browser test)");
    resources.add(0, server);
    return server;
  }

  @Test
  void twoTabsOnTwoInstances_seeTheSameCanvas_andEachOthersCursor() throws Exception {
    Path chromium = HeadlessChromium.find().orElse(null);
    if (chromium == null && System.getenv("CI") != null) {
      throw new AssertionError("no chromium on PATH on CI: .ci/run installs it (apt-get install chromium)");
    }
    Assumptions.assumeTrue(chromium != null, "no chromium on PATH (apt-get install chromium)");
    StoreConfig config = redis.configBuilder().build();
    CanvasServer a = instance(config);
    CanvasServer b = instance(config);
    HeadlessChromium browser = HeadlessChromium.start(chromium);
    resources.add(0, browser);
    HeadlessChromium.Page alice = browser.open(a.uri().resolve("/?project=ui"));
    HeadlessChromium.Page bob = browser.open(b.uri().resolve("/?project=ui"));
    resources.add(0, alice);
    resources.add(0, bob);
    for (HeadlessChromium.Page page : List.of(alice, bob)) {
      // The page may still be loading: read the badge null-safely until it says "live".
      await().atMost(WAIT).ignoreExceptions().until(() -> page.eval(
          "(document.getElementById('status') || {}).textContent || ''").asText().equals("live"));
    }
    assertThat(alice.eval("document.getElementById('instance').textContent").asText())
        .isEqualTo(a.instanceId());

    // At 1,200 px the toolbar is one line, "Clear canvas" and the count included, and the canvas
    // fills the window below it without scrolling.
    JsonNode layout = alice.eval("(() => { const items = [...document.querySelector('header').children]"
        + ".map(e => e.getBoundingClientRect()); const r = board.getBoundingClientRect();"
        + " const mids = items.map(i => i.top + i.height / 2);"
        + " return {width: innerWidth, height: innerHeight,"
        + " lineSpread: Math.max(...mids) - Math.min(...mids),"
        + " rightmost: Math.max(...items.map(i => i.right)),"
        + " headerBottom: document.querySelector('header').getBoundingClientRect().bottom,"
        + " left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
        + " scrolls: document.documentElement.scrollHeight > innerHeight"
        + " || document.documentElement.scrollWidth > innerWidth}; })()");
    assertThat(layout.path("width").asInt()).as("window width").isEqualTo(1200);
    assertThat(layout.path("lineSpread").asDouble()).as("toolbar items on one line").isLessThan(2);
    assertThat(layout.path("rightmost").asDouble()).as("toolbar inside the window")
        .isLessThanOrEqualTo(1200);
    assertThat(layout.path("left").asDouble()).as("canvas left edge").isLessThanOrEqualTo(20);
    assertThat(layout.path("right").asDouble()).as("canvas right edge").isGreaterThanOrEqualTo(1180);
    assertThat(layout.path("top").asDouble() - layout.path("headerBottom").asDouble())
        .as("canvas top, below the toolbar and the help line").isLessThanOrEqualTo(50);
    assertThat(layout.path("height").asDouble() - layout.path("bottom").asDouble())
        .as("room left under the canvas (the people line)").isLessThanOrEqualTo(50);
    assertThat(layout.path("scrolls").asBoolean()).as("page scrolls").isFalse();
    assertThat(bob.eval("document.getElementById('instance').textContent").asText())
        .isEqualTo(b.instanceId());

    // Alice adds a rectangle with the button; Bob's page shows it.
    alice.bringToFront();
    alice.click("#add");
    await().atMost(WAIT).until(() -> alice.eval("objects.size").asInt() == 1);
    String id = alice.eval("[...objects.keys()][0]").asText();
    await().atMost(WAIT).until(() -> bob.eval("objects.has('" + id + "')").asBoolean());
    JsonNode before = alice.eval("objects.get('" + id + "')");

    // Alice drags it 150 px right and 60 px down with the mouse.
    JsonNode board = alice.eval("(() => { const r = board.getBoundingClientRect();"
        + " return {left: r.left + board.clientLeft, top: r.top + board.clientTop,"
        + " scale: board.clientWidth / board.width}; })()");
    double scale = board.path("scale").asDouble();
    assertThat(scale).isEqualTo(1.0);
    double startX = Math.round(board.path("left").asDouble()
        + before.path("x").asDouble() + before.path("width").asDouble() / 2);
    double startY = Math.round(board.path("top").asDouble()
        + before.path("y").asDouble() + before.path("height").asDouble() / 2);
    alice.mouse("mouseMoved", startX, startY, false);
    alice.mouse("mousePressed", startX, startY, true);
    for (int step = 1; step <= 6; step++) {
      alice.mouse("mouseMoved", startX + 25 * step, startY + 10 * step, true);
      Thread.sleep(50); // a person's drag takes time; the page sends at most one PUT per 40 ms
    }
    alice.mouse("mouseReleased", startX + 150, startY + 60, false);

    double movedX = before.path("x").asDouble() + 150;
    double movedY = before.path("y").asDouble() + 60;
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode seen = bob.eval("objects.get('" + id + "')");
      assertThat(seen.path("x").asDouble()).isEqualTo(movedX);
      assertThat(seen.path("y").asDouble()).isEqualTo(movedY);
    });
    HttpResponse<String> stored = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        b.uri().resolve("/api/projects/ui/objects/" + id)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(CanvasServer.JSON.readTree(stored.body()).path("x").asDouble()).isEqualTo(movedX);

    // Bob sees Alice's cursor where her mouse was last.
    String aliceId = alice.eval("me.id").asText();
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode cursor = bob.eval("cursors.has('" + aliceId + "') ? cursors.get('" + aliceId
          + "').cursor : null");
      assertThat(cursor.isObject()).as("Alice's cursor on Bob's page").isTrue();
      assertThat(cursor.path("x").asDouble())
          .isEqualTo(startX + 150 - board.path("left").asDouble());
    });
    // The people list is redrawn after the cursor arrives, not with it.
    String aliceName = alice.eval("me.name").asText();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(bob.eval("document.getElementById('people').textContent").asText())
            .contains(aliceName));
    bob.bringToFront();
    bob.screenshot(Path.of("target", "screenshots", "bob-sees-alice.png"));
  }
}
