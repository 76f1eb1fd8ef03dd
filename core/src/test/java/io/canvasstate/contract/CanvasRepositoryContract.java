package io.canvasstate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.Codec;
import io.canvasstate.JacksonCodec;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link CanvasRepository}: what every durable store behind a canvas store does,
 * observed through the SPI only. A repository's test extends it and supplies
 * {@link #newRepository}; each test uses project ids no other test uses.
 */
public abstract class CanvasRepositoryContract extends ContractSupport {

  /**
   * Returns a repository; it may share storage with the repositories of other tests (the tests
   * use their own project ids). The suite closes it after the test.
   */
  protected abstract <T> CanvasRepository<T> newRepository(Codec<T> codec);

  private static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);
  private static final AtomicLong FENCES = new AtomicLong(1_000);

  /** A repository of shapes. */
  protected final CanvasRepository<TestShape> shapes() {
    return closeAfterTest(newRepository(SHAPES));
  }

  private static TestShape shape(String id, int x) {
    return new TestShape(id, x, -x);
  }

  private static long fence() {
    return FENCES.incrementAndGet();
  }

  private static ProjectChanges<TestShape> upserts(String p, long fence,
      Map<String, TestShape> objects) {
    return new ProjectChanges<>(p, fence, objects, Set.of());
  }

  @Test
  void load_unknownProject_returnsEmptyMap() {
    assertThat(shapes().load(newId("p"))).isEmpty();
  }

  @Test
  void save_newObjects_loadReturnsThem() {
    CanvasRepository<TestShape> repo = shapes();
    String p = newId("p");

    boolean applied = repo.save(upserts(p, fence(), Map.of("a", shape("a", 1), "b", shape("b", 2))));

    assertThat(applied).isTrue();
    assertThat(repo.load(p)).containsExactlyInAnyOrderEntriesOf(
        Map.of("a", shape("a", 1), "b", shape("b", 2)));
  }

  @Test
  void save_upsertsAndDeletes_replaceAndRemoveOnlyThoseObjects() {
    CanvasRepository<TestShape> repo = shapes();
    String p = newId("p");
    repo.save(upserts(p, fence(), Map.of("a", shape("a", 1), "b", shape("b", 2),
        "c", shape("c", 3))));

    repo.save(new ProjectChanges<>(p, fence(), Map.of("a", shape("a", 10), "d", shape("d", 4)),
        Set.of("b")));

    assertThat(repo.load(p)).containsExactlyInAnyOrderEntriesOf(
        Map.of("a", shape("a", 10), "c", shape("c", 3), "d", shape("d", 4)));
  }

  @Test
  void save_sameChangesTwice_leavesWhatSavingOnceLeaves() {
    CanvasRepository<TestShape> repo = shapes();
    String p = newId("p");
    repo.save(upserts(p, fence(), Map.of("a", shape("a", 1), "b", shape("b", 2))));
    ProjectChanges<TestShape> changes =
        new ProjectChanges<>(p, fence(), Map.of("a", shape("a", 5)), Set.of("b"));

    assertThat(repo.save(changes)).isTrue();
    assertThat(repo.save(changes)).as("replayed with the same fence").isTrue();

    assertThat(repo.load(p)).containsExactlyEntriesOf(Map.of("a", shape("a", 5)));
  }

  @Test
  void save_deleteOfMissingObjectAndOfUnknownProject_isNotAnError() {
    CanvasRepository<TestShape> repo = shapes();
    String p = newId("p");
    String unknown = newId("p");
    repo.save(upserts(p, fence(), Map.of("a", shape("a", 1))));

    assertThat(repo.save(new ProjectChanges<>(p, fence(), Map.of(), Set.of("missing")))).isTrue();
    assertThat(repo.save(new ProjectChanges<>(unknown, fence(), Map.of(), Set.of("x")))).isTrue();

    assertThat(repo.load(p)).containsOnlyKeys("a");
    assertThat(repo.load(unknown)).isEmpty();
  }

  @Test
  void save_smallerFenceAfterLargerOne_returnsFalseAndWritesNothing() {
    CanvasRepository<TestShape> repo = shapes();
    String p = newId("p");
    long older = fence();
    long newer = fence();
    repo.save(upserts(p, newer, Map.of("a", shape("a", 2))));

    boolean applied = repo.save(new ProjectChanges<>(p, older,
        Map.of("a", shape("a", 1), "b", shape("b", 1)), Set.of()));
    boolean deleted = repo.save(new ProjectChanges<>(p, older, Map.of(), Set.of("a")));

    assertThat(applied).isFalse();
    assertThat(deleted).isFalse();
    assertThat(repo.load(p)).containsExactlyEntriesOf(Map.of("a", shape("a", 2)));
  }

  @Test
  void save_fencesOfOneProject_doNotFenceAnother() {
    CanvasRepository<TestShape> repo = shapes();
    String p = newId("p");
    String q = newId("p");
    long older = fence();
    repo.save(upserts(p, fence(), Map.of("a", shape("a", 1))));

    assertThat(repo.save(upserts(q, older, Map.of("a", shape("a", 9))))).isTrue();

    assertThat(repo.load(q)).containsExactlyEntriesOf(Map.of("a", shape("a", 9)));
  }

  @Test
  void save_idsThatLookAlike_keepProjectsAndObjectsApart() {
    CanvasRepository<TestShape> repo = shapes();
    String base = newId("p");
    List<String> projects = List.of(base + "-A", base + "-a", base + "/..", base + "%2F",
        base + ".", base + "-\u00e9\u6f22\ud83d\ude00", base + "-" + "x".repeat(480),
        base + "-" + "x".repeat(479) + "y");
    for (int i = 0; i < projects.size(); i++) {
      repo.save(upserts(projects.get(i), fence(), Map.of("o", shape("o", i),
          "O", shape("O", i), "o/..", shape("s", i))));
    }

    for (int i = 0; i < projects.size(); i++) {
      assertThat(repo.load(projects.get(i))).as(projects.get(i)).containsExactlyInAnyOrderEntriesOf(
          Map.of("o", shape("o", i), "O", shape("O", i), "o/..", shape("s", i)));
    }
  }

  @Test
  void save_aThousandObjectsThenDeleteHalf_roundTrips() {
    CanvasRepository<TestShape> repo = shapes();
    String p = newId("p");
    Map<String, TestShape> objects = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      TestShape s = shape("o" + i, i);
      s.tags.add("tag-" + i);
      objects.put("o" + i, s);
    }
    repo.save(upserts(p, fence(), objects));
    Set<String> half = new java.util.HashSet<>();
    for (int i = 0; i < 1000; i += 2) {
      half.add("o" + i);
    }

    repo.save(new ProjectChanges<>(p, fence(), Map.of(), half));

    Map<String, TestShape> expected = new HashMap<>(objects);
    expected.keySet().removeAll(half);
    assertThat(repo.load(p)).hasSize(500).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void save_concurrentSavesOfOneProject_largestFenceWinsEachObject() {
    CanvasRepository<TestShape> repo = shapes();
    String p = newId("p");
    long first = fence();
    for (int i = 1; i < THREADS * 4; i++) {
      fence();
    }
    Map<Long, Boolean> applied = new ConcurrentHashMap<>();

    concurrently(THREADS, t -> {
      for (int i = 0; i < 4; i++) {
        long f = first + t * 4L + i;
        applied.put(f, repo.save(upserts(p, f, Map.of("x", shape("x", (int) f),
            "t" + t, shape("t", (int) f)))));
      }
    });

    long last = first + THREADS * 4L - 1;
    assertThat(applied.get(last)).isTrue();
    Map<String, TestShape> loaded = repo.load(p);
    assertThat(loaded.get("x")).isEqualTo(shape("x", (int) last));
    for (int t = 0; t < THREADS; t++) {
      // each thread's own object holds its value from the largest fence applied
      long lastApplied = -1;
      for (int i = 0; i < 4; i++) {
        long f = first + t * 4L + i;
        if (applied.get(f)) {
          lastApplied = f;
        }
      }
      if (lastApplied >= 0) {
        assertThat(loaded.get("t" + t)).as("t%d", t).isEqualTo(shape("t", (int) lastApplied));
      }
    }
  }

  @Test
  void save_concurrentSavesOfManyProjects_allApplied() {
    CanvasRepository<TestShape> repo = shapes();
    String base = newId("p");

    concurrently(THREADS, t -> {
      for (int i = 0; i < 20; i++) {
        assertThat(repo.save(upserts(base + "-" + t + "-" + i, fence(),
            Map.of("a", shape("a", t * 100 + i))))).isTrue();
      }
    });

    for (int t = 0; t < THREADS; t++) {
      for (int i = 0; i < 20; i++) {
        assertThat(repo.load(base + "-" + t + "-" + i))
            .containsExactlyEntriesOf(Map.of("a", shape("a", t * 100 + i)));
      }
    }
  }

  @Test
  void save_rawStringCodec_keepsTheJsonValue() {
    CanvasRepository<String> repo = closeAfterTest(newRepository(Codec.string()));
    String p = newId("p");

    repo.save(new ProjectChanges<>(p, fence(),
        Map.of("a", "{\"kind\":\"text\",\"text\":\"h\u00e9llo \\\"you\\\"\"}"), Set.of()));

    assertThat(repo.load(p).get("a")).isEqualTo("{\"kind\":\"text\",\"text\":\"h\u00e9llo \\\"you\\\"\"}");
  }
}
