package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.StoreConfig;
import io.canvasstate.contract.RecordingPersistenceListener;
import io.canvasstate.contract.RecordingRepository.Gate;
import io.canvasstate.contract.TestShape;
import io.canvasstate.inmemory.InMemoryCanvasRepository;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.persistence.SaveFailedEvent;
import io.canvasstate.redis.testing.PersistentInstance;
import io.canvasstate.redis.testing.PersistentInstances;
import io.canvasstate.redis.testing.RedisServerExtension;
import io.canvasstate.KeySchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Auto-save on a real Redis neither starves behind a project that keeps failing nor makes
 * instances fight over the same projects.
 */
class RedisAutoSaveSpreadTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  @TempDir
  Path files;

  @RegisterExtension
  final PersistentInstances instances = new PersistentInstances();

  private static TestShape shape(String id, int x) {
    return new TestShape(id, x, x);
  }

  /** A repository that rejects every save of one project, as one with a bad row would. */
  private static CanvasRepository<TestShape> rejecting(CanvasRepository<TestShape> durable,
      String projectId) {
    return new CanvasRepository<>() {
      @Override
      public Map<String, TestShape> load(String id) {
        return durable.load(id);
      }

      @Override
      public boolean save(ProjectChanges<TestShape> changes) {
        if (changes.projectId().equals(projectId)) {
          throw new IllegalStateException("rejected: a constraint fails on " + projectId);
        }
        return durable.save(changes);
      }
    };
  }

  @Test
  void projectThatKeepsFailing_backsOffAndYoungerProjectsAreSaved() {
    StoreConfig config = redis.configBuilder().build();
    JsonFileCanvasRepository<TestShape> durable = JsonFileCanvasRepository.open(files,
        PersistentInstance.SHAPES);
    RecordingPersistenceListener events = new RecordingPersistenceListener();
    PersistentInstance a = instances.open("a", config, rejecting(durable, "bad"),
        PersistenceConfig.builder().saveInterval(Duration.ofSeconds(30)).maxProjectsPerRound(1)
            .build());
    a.persistence().addListener(events);
    a.canvas().put("bad", "x", shape("x", 1)); // the oldest change
    a.canvas().put("good", "y", shape("y", 1));
    AutoSaveWorker worker = a.worker();

    AutoSaveWorker.Round first = worker.runOnce();
    AutoSaveWorker.Round second = worker.runOnce();

    assertThat(first.failed()).isEqualTo(1);
    assertThat(second.saved()).as("the younger project is not starved").isEqualTo(1);
    assertThat(durable.load("good")).containsOnlyKeys("y");
    assertThat(events.failed).singleElement().satisfies(e -> {
      assertThat(e.projectId()).isEqualTo("bad");
      assertThat(e.reason()).isEqualTo(SaveFailedEvent.Reason.REPOSITORY_FAILED);
      assertThat(e.retryIn()).isEqualTo(Duration.ofSeconds(30));
    });
    assertThat(a.persistence().stats().retryWaiting()).isEqualTo(1);
    assertThat(worker.runOnce().projects()).as("still backing off").isZero();
    assertThat(a.backlog()).as("its changes stay unsaved, never dropped").isEqualTo(1);
  }

  @Test
  void twoInstances_takeDifferentProjects() throws Exception {
    StoreConfig config = redis.configBuilder().build();
    JsonFileCanvasRepository<TestShape> durable = JsonFileCanvasRepository.open(files,
        PersistentInstance.SHAPES);
    PersistenceConfig settings = PersistenceConfig.builder().maxProjectsPerRound(5).build();
    PersistentInstance a = instances.open("a", config, durable, settings);
    PersistentInstance b = instances.open("b", config, durable, settings);
    for (int i = 0; i < 10; i++) {
      a.canvas().put("p" + i, "x", shape("x", i));
    }
    Gate gate = Gate.closed();
    a.repository().holdSaves(gate);
    AutoSaveWorker aWorker = a.worker();
    Future<AutoSaveWorker.Round> aRound = instances.threads().submit(aWorker::runOnce);
    gate.awaitReached(); // a has taken its projects and is saving the first

    AutoSaveWorker.Round bRound = b.worker().runOnce();
    gate.open();
    AutoSaveWorker.Round aDone = aRound.get(1, TimeUnit.MINUTES);

    Set<String> savedByA = a.repository().applied().stream().map(ProjectChanges::projectId)
        .collect(Collectors.toSet());
    Set<String> savedByB = b.repository().applied().stream().map(ProjectChanges::projectId)
        .collect(Collectors.toSet());
    assertThat(bRound.saved()).isEqualTo(5);
    assertThat(aDone.saved()).isEqualTo(5);
    assertThat(savedByB).doesNotContainAnyElementsOf(savedByA);
    assertThat(savedByA).containsExactlyInAnyOrder("p0", "p1", "p2", "p3", "p4");
    assertThat(a.backlog()).isZero();
  }

  /**
   * A project with 5,000 unsaved changes is claimed and saved a chunk of
   * {@code maxChangesPerSave} at a time: no claim (nor completion) reads or clears more. Prints
   * the slowest persistence script of the drain, by Redis' own clock (the slow log).
   */
  @Test
  void projectWithManyChanges_isClaimedAndSavedInChunksOfMaxChangesPerSave() {
    StoreConfig config = redis.configBuilder().build();
    KeySchema keys = config.keySchema();
    InMemoryCanvasRepository<TestShape> durable =
        InMemoryCanvasRepository.create(PersistentInstance.SHAPES);
    PersistentInstance a = instances.open("a", config, durable,
        PersistenceConfig.builder().maxChangesPerSave(500).build());
    a.canvas().put("big", "o0", shape("o0", 0)); // records the project as a write does
    Map<byte[], byte[]> objects = new HashMap<>();
    Map<byte[], byte[]> dirty = new HashMap<>();
    for (int i = 1; i < 5_000; i++) { // and 4,999 more changes, planted at once
      String id = "o" + i;
      objects.put(id.getBytes(UTF_8), PersistentInstance.SHAPES.encode(shape(id, i)));
      dirty.put(id.getBytes(UTF_8), "1000u".getBytes(UTF_8));
    }
    Jedis raw = redis.connect();
    raw.hset(keys.objectsKey("big").getBytes(UTF_8), objects);
    raw.hset(keys.projectKey("big", "dirty").getBytes(UTF_8), dirty);
    raw.configSet("slowlog-log-slower-than", "0");
    raw.configSet("slowlog-max-len", "10000");
    raw.slowlogReset();
    try {
      assertThat(a.worker().flush(Duration.ofMinutes(1))).isTrue();

      long slowest = raw.slowlogGet(10_000).stream()
          .filter(e -> e.getArgs().get(0).equalsIgnoreCase("evalsha"))
          .mapToLong(e -> e.getExecutionTime()).max().orElseThrow();
      System.out.printf("slowest persistence script while draining 5,000 changes in chunks of"
          + " 500: %.1f ms%n", slowest / 1000.0);
    } finally {
      raw.configSet("slowlog-log-slower-than", "10000");
      raw.configSet("slowlog-max-len", "128");
    }
    assertThat(a.repository().applied()).hasSize(10)
        .allSatisfy(c -> assertThat(c.size()).isEqualTo(500));
    assertThat(durable.load("big")).hasSize(5_000);
  }
}
