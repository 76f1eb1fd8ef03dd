package io.canvasstate.failover;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class JournalTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static final Supplier<List<Optional<byte[]>>> NONE = () -> List.of(Optional.empty());

  private static Supplier<List<Optional<byte[]>>> base(String s) {
    return () -> List.of(v(s));
  }

  private static Optional<byte[]> v(String s) {
    return Optional.of(s.getBytes(UTF_8));
  }

  private static List<String> ids(List<Journal.Change> changes) {
    return changes.stream().map(c -> c.key().id()).toList();
  }

  @Test
  void record_sameObjectTwice_keepsLatestValueFirstBaseAndMovesItLast() {
    Journal j = new Journal(10);
    j.record(ChangeKey.canvas("p", "a"), v("1"), base("base"), false, T0);
    j.record(ChangeKey.canvas("p", "b"), v("1"), NONE, false, T0);
    j.record(ChangeKey.canvas("p", "a"), v("2"), base("other base"), false, T0.plusSeconds(1));

    List<Journal.Change> all = j.oldest(10, Long.MAX_VALUE);

    assertThat(ids(all)).containsExactly("b", "a");
    Journal.Change a = all.get(1);
    assertThat(Journal.text(a.value())).contains("2");
    assertThat(Journal.text(a.base())).contains("base");
    assertThat(a.writtenAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(j.size()).isEqualTo(2);
  }

  @Test
  void record_full_dropsNewKeysButUpdatesJournaledOnes() {
    Journal j = new Journal(2);
    assertThat(j.record(ChangeKey.canvas("p", "a"), v("1"), NONE, false, T0)).isTrue();
    assertThat(j.record(ChangeKey.presence("u"), v("1"), NONE, false, T0)).isTrue();

    assertThat(j.record(ChangeKey.canvas("p", "c"), v("1"), NONE, false, T0)).isFalse();
    assertThat(j.record(ChangeKey.canvas("p", "a"), Optional.empty(), NONE, false, T0))
        .isTrue();

    assertThat(j.size()).isEqualTo(2);
    assertThat(j.oldest(10, Long.MAX_VALUE).get(1).value()).isEmpty();
  }

  @Test
  void oldest_upToSequence_leavesLaterChangesOut() {
    Journal j = new Journal(10);
    j.record(ChangeKey.canvas("p", "a"), v("1"), NONE, false, T0);
    long mark = j.lastSeq();
    j.record(ChangeKey.canvas("p", "b"), v("1"), NONE, false, T0);

    assertThat(ids(j.oldest(10, mark))).containsExactly("a");
    assertThat(ids(j.oldest(1, Long.MAX_VALUE))).containsExactly("a");
  }

  @Test
  void done_changedMeanwhile_keepsNewerChangeWithWrittenValueAsBase() {
    Journal j = new Journal(10);
    ChangeKey a = ChangeKey.canvas("p", "a");
    j.record(a, v("1"), base("0"), false, T0);
    Journal.Change taken = j.oldest(1, Long.MAX_VALUE).get(0);
    j.record(a, v("2"), base("ignored"), false, T0);

    j.done(taken, Optional.of(taken.value()));

    Journal.Change left = j.oldest(1, Long.MAX_VALUE).get(0);
    assertThat(Journal.text(left.value())).contains("2");
    assertThat(Journal.text(left.base())).contains("1");
  }

  @Test
  void done_unchanged_removesIt() {
    Journal j = new Journal(10);
    j.record(ChangeKey.canvas("p", "a"), v("1"), NONE, false, T0);

    j.done(j.oldest(1, Long.MAX_VALUE).get(0), Optional.empty());

    assertThat(j.size()).isZero();
  }

  @Test
  void expects_baseOrPossiblyAppliedValues_butNotOthers() {
    Journal j = new Journal(10);
    ChangeKey a = ChangeKey.canvas("p", "a");
    j.record(a, v("1"), base("0"), true, T0);
    j.record(a, v("2"), NONE, false, T0);
    j.notePrimaryWrite(a, Optional.empty());
    Journal.Change taken = j.oldest(1, Long.MAX_VALUE).get(0);
    j.possiblyApplied(taken);

    Journal.Change c = j.oldest(1, Long.MAX_VALUE).get(0);

    assertThat(c.expects(v("0"))).as("base").isTrue();
    assertThat(c.expects(v("1"))).as("a write that timed out").isTrue();
    assertThat(c.expects(v("2"))).as("a write-back that timed out").isTrue();
    assertThat(c.expects(Optional.empty())).as("a delete this instance made").isTrue();
    assertThat(c.expects(v("3"))).isFalse();
  }

  @Test
  void expects_severalBases_anyOfThem() {
    Journal j = new Journal(10);
    j.record(ChangeKey.canvas("p", "a"), v("9"), () -> List.of(v("1"), Optional.empty()), false,
        T0);

    Journal.Change c = j.oldest(1, Long.MAX_VALUE).get(0);

    assertThat(Journal.text(c.base())).contains("1");
    assertThat(c.expects(v("1"))).isTrue();
    assertThat(c.expects(Optional.empty())).isTrue();
    assertThat(c.expects(v("2"))).isFalse();
  }

  @Test
  void possiblyOurs_manyFlaps_keepsOnlyTheLatestFew() {
    Journal j = new Journal(10);
    ChangeKey a = ChangeKey.canvas("p", "a");
    for (int i = 0; i < Journal.MAX_UNCERTAIN + 5; i++) {
      j.record(a, v(Integer.toString(i)), NONE, true, T0);
    }

    Journal.Change c = j.oldest(1, Long.MAX_VALUE).get(0);

    assertThat(c.possiblyOurs()).hasSize(Journal.MAX_UNCERTAIN);
    assertThat(c.expects(v(Integer.toString(Journal.MAX_UNCERTAIN + 4)))).isTrue();
    assertThat(c.expects(v("0"))).isFalse();
  }

  @Test
  void objectIds_mixedKeys_listsOnlyThatProjectsObjects() {
    Journal j = new Journal(10);
    j.record(ChangeKey.canvas("p", "a"), v("1"), NONE, false, T0);
    j.record(ChangeKey.canvas("p", Journal.CLEAR_MARKER), Optional.empty(), NONE,
        false, T0);
    j.record(ChangeKey.canvas("q", "b"), v("1"), NONE, false, T0);
    j.record(ChangeKey.presence("p"), v("1"), NONE, false, T0);

    assertThat(j.objectIds("p")).containsExactly("a");
  }

  @Test
  void drain_severalChanges_removesAllOldestFirst() {
    Journal j = new Journal(10);
    j.record(ChangeKey.canvas("p", "a"), v("1"), NONE, false, T0);
    j.record(ChangeKey.canvas("p", "b"), v("1"), NONE, false, T0);

    assertThat(ids(j.drain())).containsExactly("a", "b");
    assertThat(j.size()).isZero();
  }
}
