package io.canvasstate.failover;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bounded local copies of canvas and presence, and how they record overlapping calls. */
class LocalCopyTest {
  private static Optional<byte[]> v(String s) {
    return Optional.of(s.getBytes(UTF_8));
  }

  private static List<Optional<String>> texts(List<Optional<byte[]>> values) {
    return values.stream().map(Journal::text).toList();
  }

  /** Records one call that did not overlap any other. */
  private static void alone(CanvasCopy copy, String p, String o, Optional<byte[]> value) {
    copy.object(p, o, value, copy.mark(), 0);
  }

  @Test
  void canvasObject_writesAndDeletes_basesFollowThem() {
    CanvasCopy copy = new CanvasCopy(10);
    alone(copy, "p", "a", v("1"));
    alone(copy, "p", "b", v("2"));
    alone(copy, "p", "a", Optional.empty());

    assertThat(texts(copy.bases("p", "a"))).containsExactly(Optional.empty());
    assertThat(texts(copy.bases("p", "b"))).containsExactly(Optional.of("2"));
    assertThat(texts(copy.bases("p", "never"))).containsExactly(Optional.empty());
  }

  @Test
  void canvasObject_twoCallsOverlapped_eitherValueIsABase() {
    CanvasCopy copy = new CanvasCopy(10);
    alone(copy, "p", "a", v("0"));
    long first = copy.mark();
    long second = copy.mark();

    copy.object("p", "a", v("2"), second, 0);
    copy.object("p", "a", v("1"), first, 0);

    assertThat(texts(copy.bases("p", "a")))
        .as("the primary may have applied either last")
        .containsExactly(Optional.of("1"), Optional.of("2"));

    alone(copy, "p", "a", v("3"));
    assertThat(texts(copy.bases("p", "a"))).containsExactly(Optional.of("3"));
  }

  @Test
  void canvasObject_overlappingDelete_nothingIsABaseToo() {
    CanvasCopy copy = new CanvasCopy(10);
    long put = copy.mark();
    alone(copy, "p", "a", Optional.empty());

    copy.object("p", "a", v("1"), put, 0);

    assertThat(texts(copy.bases("p", "a"))).containsExactly(Optional.of("1"), Optional.empty());
  }

  @Test
  void canvasObject_manyOverlaps_keepsABoundedNumberOfBases() {
    CanvasCopy copy = new CanvasCopy(10);
    long old = copy.mark();
    for (int i = 0; i < 3 * Seen.MAX_CANDIDATES; i++) {
      copy.object("p", "a", v(Integer.toString(i)), old, 0);
    }

    assertThat(copy.bases("p", "a")).hasSize(Seen.MAX_CANDIDATES);
    assertThat(texts(copy.bases("p", "a")).get(0))
        .contains(Integer.toString(3 * Seen.MAX_CANDIDATES - 1));
  }

  @Test
  void canvasCleared_overlappingWrite_keepsBothOutcomes() {
    CanvasCopy copy = new CanvasCopy(10);
    alone(copy, "p", "a", v("1"));
    alone(copy, "p", "b", v("1"));
    long clear = copy.mark();
    long put = copy.mark();
    copy.object("p", "a", v("2"), put, 0);

    copy.cleared("p", clear, 0);
    copy.object("p", "c", v("3"), put, 0);

    assertThat(texts(copy.bases("p", "a"))).containsExactly(Optional.empty(), Optional.of("2"));
    assertThat(texts(copy.bases("p", "b"))).containsExactly(Optional.empty());
    assertThat(texts(copy.bases("p", "c"))).containsExactly(Optional.of("3"), Optional.empty());
  }

  @Test
  void canvasSnapshot_replacesTheProject_unlessSomethingWasRecordedMeanwhile() {
    CanvasCopy copy = new CanvasCopy(10);
    alone(copy, "p", "old", v("1"));
    copy.snapshot("p", Map.of("a", v("1").get(), "b", v("2").get()), copy.mark(), 5);
    assertThat(texts(copy.bases("p", "old"))).containsExactly(Optional.empty());
    assertThat(copy.size()).isEqualTo(2);

    long stale = copy.mark();
    alone(copy, "p", "c", Optional.empty());
    copy.snapshot("p", Map.of("c", v("1").get()), stale, 7);

    assertThat(texts(copy.bases("p", "c"))).as("a snapshot older than a delete is ignored")
        .containsExactly(Optional.empty());
  }

  @Test
  void canvasHeard_eventsOfUnknownObjects_becomeTheirOnlyBase() {
    CanvasCopy copy = new CanvasCopy(10);

    copy.heard("p", "a", v("1"), 0);
    copy.heard("p", "b", v("1"), 0);
    copy.heard("p", "b", Optional.empty(), 0);

    assertThat(texts(copy.bases("p", "a"))).containsExactly(Optional.of("1"));
    assertThat(texts(copy.bases("p", "b"))).containsExactly(Optional.empty(), Optional.of("1"));
    assertThat(copy.projectsTouchedSince(0)).containsOnlyKeys("p");
    assertThat(copy.projectsTouchedSince(0).get("p")).containsOnlyKeys("a");
    assertThat(copy.knows("p", "a")).isTrue();
    assertThat(copy.knows("p", "never")).isFalse();
  }

  @Test
  void canvasHeard_eventOlderThanOwnWrite_keepsTheOwnWriteAsABase() {
    CanvasCopy copy = new CanvasCopy(10);
    alone(copy, "p", "a", v("mine"));

    copy.heard("p", "a", v("theirs, applied before mine"), 0);

    assertThat(texts(copy.bases("p", "a"))).containsExactly(
        Optional.of("theirs, applied before mine"), Optional.of("mine"));
  }

  @Test
  void canvasHeard_manyObjects_boundedLikeTheRestOfTheCopy() {
    CanvasCopy copy = new CanvasCopy(5);

    for (int i = 0; i < 20; i++) {
      copy.heard("p" + i, "o", v("1"), i);
    }

    assertThat(copy.size()).isLessThanOrEqualTo(5);
    assertThat(copy.knows("p19", "o")).isTrue();
    assertThat(copy.knows("p0", "o")).as("forgotten, least recently used first").isFalse();
  }

  @Test
  void canvasKnows_snapshotOfTheProject_coversObjectsItLacks() {
    CanvasCopy copy = new CanvasCopy(10);
    copy.snapshot("p", Map.of("a", v("1").get()), copy.mark(), 0);

    assertThat(copy.knows("p", "missing")).as("the snapshot said it is not there").isTrue();
    assertThat(copy.knows("q", "missing")).isFalse();
  }

  @Test
  void canvasBound_exceeded_forgetsLeastRecentlyUsedProjects() {
    CanvasCopy copy = new CanvasCopy(4);
    copy.snapshot("p1", Map.of("a", v("1").get(), "b", v("1").get()), copy.mark(), 0);
    copy.snapshot("p2", Map.of("a", v("1").get(), "b", v("1").get()), copy.mark(), 0);
    copy.bases("p1", "a");

    alone(copy, "p3", "a", v("1"));

    assertThat(texts(copy.bases("p2", "a"))).containsExactly(Optional.empty());
    assertThat(texts(copy.bases("p1", "a"))).containsExactly(Optional.of("1"));
    assertThat(texts(copy.bases("p3", "a"))).containsExactly(Optional.of("1"));
    assertThat(copy.size()).isEqualTo(3);
  }

  @Test
  void canvasBound_oneProjectTooLarge_isNotKept() {
    CanvasCopy copy = new CanvasCopy(2);

    copy.snapshot("p", Map.of("a", v("1").get(), "b", v("1").get(), "c", v("1").get()),
        copy.mark(), 0);

    assertThat(copy.size()).isZero();
    assertThat(copy.projectsTouchedSince(0)).isEmpty();
  }

  @Test
  void canvasSeed_onlyProjectsTouchedSinceTheCutoff_withoutDeletes() {
    CanvasCopy copy = new CanvasCopy(10);
    copy.object("old", "a", v("1"), copy.mark(), 100);
    copy.object("new", "a", v("1"), copy.mark(), 200);
    copy.object("new", "gone", Optional.empty(), copy.mark(), 200);

    assertThat(copy.projectsTouchedSince(150)).containsOnlyKeys("new");
    assertThat(copy.projectsTouchedSince(150).get("new")).containsOnlyKeys("a");
  }

  @Test
  void canvasCopy_limitZero_keepsNothing() {
    CanvasCopy copy = new CanvasCopy(0);
    alone(copy, "p", "a", v("1"));
    copy.snapshot("p", Map.of("a", v("1").get()), copy.mark(), 0);

    assertThat(copy.size()).isZero();
    assertThat(texts(copy.bases("p", "a"))).containsExactly(Optional.empty());
  }

  @Test
  void presence_boundAndSeedCutoff_keepRecentUsers() {
    PresenceCopy copy = new PresenceCopy(2);
    copy.user("u1", v("1"), copy.mark(), 100);
    copy.user("u2", v("2"), copy.mark(), 200);
    copy.user("u3", v("3"), copy.mark(), 300);
    copy.user("u2", Optional.empty(), copy.mark(), 300);

    assertThat(texts(copy.bases("u1"))).containsExactly(Optional.empty());
    assertThat(texts(copy.bases("u2"))).containsExactly(Optional.empty());
    assertThat(copy.seenSince(250)).containsOnlyKeys("u3");
  }

  @Test
  void presence_overlappingHeartbeats_eitherIsABase() {
    PresenceCopy copy = new PresenceCopy(10);
    copy.user("u", v("0"), copy.mark(), 0);
    long first = copy.mark();
    copy.user("u", v("2"), copy.mark(), 0);

    copy.user("u", v("1"), first, 0);

    assertThat(texts(copy.bases("u"))).containsExactly(Optional.of("1"), Optional.of("2"));
  }

  @Test
  void presenceSnapshot_replacesAll_unlessSomethingWasRecordedMeanwhile() {
    PresenceCopy copy = new PresenceCopy(10);
    copy.user("gone", v("1"), copy.mark(), 0);
    copy.snapshot(Map.of("u", v("1").get()), copy.mark(), 0);
    assertThat(texts(copy.bases("gone"))).containsExactly(Optional.empty());

    long stale = copy.mark();
    copy.user("v", v("2"), copy.mark(), 0);
    copy.snapshot(Map.of(), stale, 0);

    assertThat(texts(copy.bases("v"))).containsExactly(Optional.of("2"));
  }
}
