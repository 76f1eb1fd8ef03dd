package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.RoomConfig;
import io.canvasstate.StoreConfig;
import io.canvasstate.redis.RoomCrash;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The page with rooms in a headless Chromium: one person in two tabs is two cursors with one
 * name on the other person's page, and when the server of those tabs dies they vanish from it.
 * Skipped without chromium on a laptop; on CI a missing chromium fails.
 */
class CanvasPageRoomsBrowserTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final RoomConfig ROOMS = RoomConfig.builder().lease(Duration.ofSeconds(2))
      .sweepInterval(Duration.ofMillis(200)).build();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  private RoomServer instance(StoreConfig config) throws Exception {
    return RoomServer.start(config, ROOMS, "Redis (browser test)", resources);
  }

  private static void awaitLive(HeadlessChromium.Page page) {
    await().atMost(WAIT).ignoreExceptions().until(() -> page.eval(
        "(document.getElementById('status') || {}).textContent || ''").asText().equals("live"));
  }

  @Test
  void twoTabsOfOneUser_twoCursorsWithOneName_thatVanishWhenTheirServerDies() throws Exception {
    Path chromium = HeadlessChromium.find().orElse(null);
    if (chromium == null && System.getenv("CI") != null) {
      throw new AssertionError("no chromium on PATH on CI: .ci/run installs it (apt-get install chromium)");
    }
    Assumptions.assumeTrue(chromium != null, "no chromium on PATH (apt-get install chromium)");
    StoreConfig config = redis.configBuilder().build();
    RoomServer a = instance(config);
    RoomServer b = instance(config);
    HeadlessChromium browser = HeadlessChromium.start(chromium);
    resources.add(0, browser);
    HeadlessChromium.Page aliceTab1 = browser.open(a.server().uri().resolve("/?project=rooms"));
    resources.add(0, aliceTab1);
    awaitLive(aliceTab1);
    HeadlessChromium.Page aliceTab2 = browser.open(a.server().uri().resolve("/?project=rooms"));
    HeadlessChromium.Page bob = browser.open(b.server().uri().resolve("/?project=rooms"));
    resources.add(0, aliceTab2);
    resources.add(0, bob);
    awaitLive(aliceTab2);
    awaitLive(bob);

    String alice = aliceTab1.eval("me.name").asText();
    assertThat(aliceTab2.eval("me.id").asText()).as("one user in both tabs")
        .isEqualTo(aliceTab1.eval("me.id").asText());
    assertThat(aliceTab2.eval("connection").asText())
        .isNotEqualTo(aliceTab1.eval("connection").asText());
    await().atMost(WAIT).untilAsserted(() -> assertThat(bob.eval(
        "[...cursors.values()].map(c => c.cursor.name).join('|')").asText())
        .isEqualTo(alice + "|" + alice));
    await().atMost(WAIT).untilAsserted(() -> assertThat(aliceTab1.eval(
        "[...cursors.values()].map(c => c.cursor.name).join('|')").asText())
        .as("the other tab's cursor, and Bob's").contains(alice));
    aliceTab1.bringToFront();
    aliceTab1.mouse("mouseMoved", 200, 200, false);
    aliceTab2.bringToFront();
    aliceTab2.mouse("mouseMoved", 500, 300, false);
    await().atMost(WAIT).untilAsserted(() -> assertThat(bob.eval(
        "[...cursors.values()].map(c => c.cursor.x).sort((a, b) => a - b).join('|')").asText())
        .as("the two tabs' cursors, each where its mouse is").matches("1\\d\\d\\|4\\d\\d"));
    bob.bringToFront();
    bob.screenshot(Path.of("target", "screenshots", "bob-sees-two-alice-tabs.png"));

    RoomCrash.crash(a.rooms());
    a.server().close();

    await().atMost(ROOMS.lease().plus(WAIT)).untilAsserted(() -> assertThat(bob.eval(
        "cursors.size").asInt()).as("Alice's cursors on Bob's page").isZero());
    await().atMost(WAIT).untilAsserted(() -> assertThat(bob.eval(
        "document.getElementById('people').textContent").asText()).doesNotContain(alice));
  }
}
