package io.canvasstate.failover;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bounded local copies of canvas and presence. */
class LocalCopyTest {
  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static Optional<String> text(Optional<byte[]> v) {
    return Journal.text(v);
  }

  @Test
  void canvasObject_writesAndDeletes_baseFollowsThem() {
    CanvasCopy copy = new CanvasCopy(10);
    copy.object("p", "a", Optional.of(b("1")), 0);
    copy.object("p", "b", Optional.of(b("2")), 0);
    copy.object("p", "a", Optional.empty(), 0);

    assertThat(copy.base("p", "a")).isEmpty();
    assertThat(text(copy.base("p", "b"))).contains("2");
    assertThat(copy.size()).isEqualTo(1);
  }

  @Test
  void canvasSnapshot_replacesTheProject_unlessAWriteRacedIt() {
    CanvasCopy copy = new CanvasCopy(10);
    copy.object("p", "old", Optional.of(b("1")), 0);
    long mark = copy.mark();
    copy.snapshot("p", Map.of("a", b("1"), "b", b("2")), mark, 5);
    assertThat(copy.base("p", "old")).isEmpty();
    assertThat(copy.size()).isEqualTo(2);

    long stale = copy.mark();
    copy.object("p", "c", Optional.of(b("3")), 6);
    copy.snapshot("p", Map.of("a", b("1")), stale, 7);

    assertThat(text(copy.base("p", "c"))).as("a snapshot older than a write is ignored")
        .contains("3");
  }

  @Test
  void canvasBound_exceeded_forgetsLeastRecentlyUsedProjects() {
    CanvasCopy copy = new CanvasCopy(4);
    copy.snapshot("p1", Map.of("a", b("1"), "b", b("1")), copy.mark(), 0);
    copy.snapshot("p2", Map.of("a", b("1"), "b", b("1")), copy.mark(), 0);
    copy.base("p1", "a");

    copy.object("p3", "a", Optional.of(b("1")), 0);

    assertThat(copy.base("p2", "a")).isEmpty();
    assertThat(copy.base("p1", "a")).isPresent();
    assertThat(copy.base("p3", "a")).isPresent();
    assertThat(copy.size()).isEqualTo(3);
  }

  @Test
  void canvasBound_oneProjectTooLarge_isNotKept() {
    CanvasCopy copy = new CanvasCopy(2);

    copy.snapshot("p", Map.of("a", b("1"), "b", b("1"), "c", b("1")), copy.mark(), 0);

    assertThat(copy.size()).isZero();
    assertThat(copy.projectsTouchedSince(0)).isEmpty();
  }

  @Test
  void canvasSeed_onlyProjectsTouchedSinceTheCutoff() {
    CanvasCopy copy = new CanvasCopy(10);
    copy.object("old", "a", Optional.of(b("1")), 100);
    copy.object("new", "a", Optional.of(b("1")), 200);

    assertThat(copy.projectsTouchedSince(150)).containsOnlyKeys("new");
  }

  @Test
  void presence_boundAndSeedCutoff_keepRecentUsers() {
    PresenceCopy copy = new PresenceCopy(2);
    copy.user("u1", Optional.of(b("1")), 100);
    copy.user("u2", Optional.of(b("2")), 200);
    copy.user("u3", Optional.of(b("3")), 300);
    copy.user("u2", Optional.empty(), 300);

    assertThat(copy.base("u1")).isEmpty();
    assertThat(copy.base("u2")).isEmpty();
    assertThat(copy.seenSince(250)).containsOnlyKeys("u3");
  }

  @Test
  void presenceSnapshot_replacesAll_unlessAWriteRacedIt() {
    PresenceCopy copy = new PresenceCopy(10);
    copy.user("gone", Optional.of(b("1")), 0);
    copy.snapshot(Map.of("u", b("1")), copy.mark(), 0);
    assertThat(copy.base("gone")).isEmpty();

    long stale = copy.mark();
    copy.user("v", Optional.of(b("2")), 0);
    copy.snapshot(Map.of(), stale, 0);

    assertThat(copy.base("v")).isPresent();
  }
}
