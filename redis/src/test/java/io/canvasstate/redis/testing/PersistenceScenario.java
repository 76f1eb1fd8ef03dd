package io.canvasstate.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.CanvasStore;
import io.canvasstate.contract.RecordingRepository;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The multi-instance write scenario of the persistence tests: random puts and removes on
 * overlapping projects and objects from several stores at once, and the checks afterwards.
 */
public final class PersistenceScenario {
  private PersistenceScenario() {}

  /**
   * Runs {@code writesEach} random writes on each store of {@code canvases} at once (one thread
   * each): on one of {@code projects} projects ({@code p0}...) and one of {@code objects}
   * objects ({@code o0}...), 85% puts of a value no other write uses ({@code x} = writer,
   * {@code y} = sequence), 15% removes. Waits (at most {@code timeout}) for all of them.
   */
  public static void randomWrites(ExecutorService threads, List<? extends CanvasStore<TestShape>> canvases,
      int writesEach, int projects, int objects, Duration timeout) {
    List<Future<?>> running = new ArrayList<>();
    for (int w = 0; w < canvases.size(); w++) {
      int writer = w;
      CanvasStore<TestShape> canvas = canvases.get(w);
      running.add(threads.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < writesEach; i++) {
          String project = "p" + random.nextInt(projects);
          String object = "o" + random.nextInt(objects);
          if (random.nextInt(100) < 15) {
            canvas.remove(project, object);
          } else {
            canvas.put(project, object, new TestShape(object, writer, i));
          }
        }
        return null;
      }));
    }
    for (Future<?> f : running) {
      assertThat(f).succeedsWithin(timeout);
    }
  }

  /** Checks that the repository holds exactly what the store holds, project by project. */
  public static void assertRepositoryEqualsStore(CanvasRepository<TestShape> durable,
      CanvasStore<TestShape> finalState, int projects) {
    for (int p = 0; p < projects; p++) {
      assertThat(durable.load("p" + p)).as("p%d", p)
          .containsExactlyInAnyOrderEntriesOf(finalState.getAll("p" + p));
    }
  }

  /**
   * Checks that no value reached the repository twice (every put wrote a value of its own, so a
   * value saved twice is a change saved by two claims), and that every instance saved some.
   */
  public static void assertEachChangeSavedOnce(List<RecordingRepository<TestShape>> repositories) {
    Map<String, String> savedBy = new HashMap<>();
    for (RecordingRepository<TestShape> repository : repositories) {
      for (ProjectChanges<TestShape> save : repository.applied()) {
        save.upserts().forEach((objectId, value) -> {
          String change = save.projectId() + "/" + objectId + "=" + value.x + "." + value.y;
          String other = savedBy.put(change, repository.toString());
          assertThat(other).as("%s saved by %s, then again by %s", change, other, repository)
              .isNull();
        });
      }
      assertThat(repository.savedObjects()).as("%s saved", repository).isPositive();
    }
  }
}
