package io.canvasstate.inmemory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasEvent;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreException;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.RecordingPersistenceListener;
import io.canvasstate.contract.RecordingRepository;
import io.canvasstate.contract.RecordingRepository.Gate;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.LoadEvent;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.persistence.PersistenceListener;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.persistence.SaveEvent;
import io.canvasstate.persistence.SaveFailedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Persistence on the in-memory store, time driven by a manual clock: what is saved and when,
 * claims and leases, no expiry before save, read-through and warming.
 */
class InMemoryPersistenceTest {
  private static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);
  private static final Duration TTL = Duration.ofMinutes(10);
  private static final Duration LEASE = Duration.ofSeconds(30);

  private final ManualClock clock = ManualClock.create();
  private final InMemoryCanvasRepository<TestShape> durable = InMemoryCanvasRepository.create(SHAPES);
  private final RecordingRepository<TestShape> repository = RecordingRepository.of(durable, "repo");
  private final RecordingPersistenceListener events = new RecordingPersistenceListener();
  private final List<AutoSaveWorker> workers = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  private final Persistence<TestShape> persistence = Persistence.builder(repository)
      .config(PersistenceConfig.builder().saveLease(LEASE).saveInterval(Duration.ofMillis(20))
          .loadLease(Duration.ofSeconds(5)).build())
      .clock(clock).listener(events).build();
  private final InMemoryCanvasStore<TestShape> store = InMemoryCanvasStore.builder(SHAPES, persistence)
      .clock(clock).ttl(TtlPolicy.DEFAULT.withCanvasTtl(TTL)).build();

  @AfterEach
  void stop() throws InterruptedException {
    workers.forEach(AutoSaveWorker::shutdownNow);
    threads.shutdownNow();
    assertThat(threads.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
  }

  private AutoSaveWorker worker() {
    AutoSaveWorker w = persistence.worker();
    workers.add(w);
    return w;
  }

  private static TestShape shape(String id, int x) {
    return new TestShape(id, x, x);
  }

  // ---- saving ----

  @Test
  void runOnce_putsAndRemoves_savesThemAndLeavesNothingUnsaved() {
    store.put("p", "a", shape("a", 1));
    store.put("p", "b", shape("b", 2));
    store.put("q", "c", shape("c", 3));
    store.remove("p", "b");

    AutoSaveWorker.Round round = worker().runOnce();

    assertThat(round.saved()).isEqualTo(2);
    assertThat(round.savedObjects()).isEqualTo(3);
    assertThat(durable.load("p")).containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
    assertThat(durable.load("q")).containsExactlyEntriesOf(Map.of("c", shape("c", 3)));
    assertThat(persistence.stats().savedObjects()).isEqualTo(3);
    assertThat(persistence.stats().backlog()).hasValueSatisfying(b -> {
      assertThat(b.projects()).isZero();
      assertThat(b.oldest()).isZero();
    });
    assertThat(events.saved).extracting(SaveEvent::projectId).containsExactlyInAnyOrder("p", "q");
    assertThat(worker().runOnce().projects()).as("a second round finds nothing").isZero();
  }

  @Test
  void stats_unsavedChange_lagIsItsAge() {
    store.put("p", "a", shape("a", 1));
    clock.advance(Duration.ofSeconds(42));
    store.put("q", "a", shape("a", 1));

    assertThat(persistence.stats().lag()).contains(Duration.ofSeconds(42));
    assertThat(persistence.stats().backlog().orElseThrow().projects()).isEqualTo(2);
  }

  @Test
  void dirtyProject_pastCanvasTtl_isNotEvictedUntilSaved() {
    store.put("p", "a", shape("a", 1));

    clock.advance(TTL.multipliedBy(3));

    assertThat(store.activeProjects()).containsExactly("p");
    assertThat(persistence.stats().lag()).contains(TTL.multipliedBy(3));
    worker().runOnce();
    clock.advance(TTL.minusSeconds(1));
    assertThat(store.activeProjects()).as("saved: its lifetime starts at the save").containsExactly("p");
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.activeProjects()).as("a lifetime after the save").isEmpty();
    assertThat(repository.loads()).as("the first write found the project new").isEqualTo(1);
    assertThat(store.getAll("p")).as("read through").containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
    assertThat(repository.loads()).isEqualTo(2);
    assertThat(events.loaded).extracting(LoadEvent::projectId, LoadEvent::objects)
        .containsExactly(tuple("p", 0), tuple("p", 1));
  }

  @Test
  void changeDuringSave_staysUnsavedForTheNextRound() {
    store.put("p", "a", shape("a", 1));
    repository.duringSave(changes -> {
      if (changes.upserts().get("a").x == 1) {
        store.put("p", "a", shape("a", 2));
      }
    });
    AutoSaveWorker worker = worker();

    worker.runOnce();

    assertThat(durable.load("p")).containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
    assertThat(persistence.stats().backlog().orElseThrow().projects()).isEqualTo(1);
    worker.runOnce();
    assertThat(durable.load("p")).containsExactlyEntriesOf(Map.of("a", shape("a", 2)));
    assertThat(persistence.stats().backlog().orElseThrow().projects()).isZero();
  }

  @Test
  void repositoryFails_changesStayUnsavedAndTheNextRoundSavesThem() {
    store.put("p", "a", shape("a", 1));
    repository.failSaves(1);
    AutoSaveWorker worker = worker();

    AutoSaveWorker.Round failed = worker.runOnce();
    clock.advance(TTL.multipliedBy(2));

    assertThat(failed.failed()).isEqualTo(1);
    assertThat(persistence.stats().saveFailures()).isEqualTo(1);
    assertThat(events.failed).singleElement().satisfies(e -> {
      assertThat(e.projectId()).isEqualTo("p");
      assertThat(e.reason()).isEqualTo(SaveFailedEvent.Reason.REPOSITORY_FAILED);
      assertThat(e.error()).contains("injected failure");
    });
    assertThat(store.getAll("p")).as("kept, and not expired").containsOnlyKeys("a");
    assertThat(worker.runOnce().saved()).as("the claim was released at once").isEqualTo(1);
    assertThat(durable.load("p")).containsOnlyKeys("a");
  }

  @Test
  void undecodableStoredValue_isReportedAndKeptWhileTheRestIsSaved() {
    store.put("p", "a", shape("a", 1));
    store.putEncoded("p", "bad", "{not json".getBytes(UTF_8));

    AutoSaveWorker.Round round = worker().runOnce();

    assertThat(round.savedObjects()).isEqualTo(1);
    assertThat(durable.load("p")).containsOnlyKeys("a");
    assertThat(events.failed).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo(SaveFailedEvent.Reason.UNDECODABLE_VALUE);
      assertThat(e.changes()).isEqualTo(1);
      assertThat(e.error()).contains("bad");
    });
    assertThat(persistence.stats().backlog().orElseThrow().projects()).isEqualTo(1);
    store.put("p", "bad", shape("bad", 2));
    assertThat(worker().runOnce().projects()).as("backed off after the failure").isZero();
    clock.advance(Duration.ofMillis(20)); // the save interval: the first backoff
    worker().runOnce();
    assertThat(durable.load("p")).containsOnlyKeys("a", "bad");
    assertThat(persistence.stats().backlog().orElseThrow().projects()).isZero();
  }

  @Test
  void projectWithOnlyAnUndecodableValue_backsOffAndYoungerProjectsAreSaved() {
    Persistence<TestShape> one = Persistence.builder(repository).clock(clock).listener(events)
        .config(PersistenceConfig.builder().maxProjectsPerRound(1)
            .saveInterval(Duration.ofSeconds(5)).build()).build();
    InMemoryCanvasStore<TestShape> s = InMemoryCanvasStore.builder(SHAPES, one).clock(clock).build();
    s.putEncoded("stuck", "bad", "{not json".getBytes(UTF_8)); // the oldest change
    clock.advance(Duration.ofMillis(1));
    s.put("young", "a", shape("a", 1));
    AutoSaveWorker w = one.worker();
    workers.add(w);

    AutoSaveWorker.Round first = w.runOnce();
    AutoSaveWorker.Round second = w.runOnce();

    assertThat(first.failed()).isEqualTo(1);
    assertThat(second.saved()).as("not starved behind the stuck project").isEqualTo(1);
    assertThat(durable.load("young")).containsOnlyKeys("a");
    assertThat(events.failed).singleElement()
        .satisfies(e -> assertThat(e.retryIn()).isEqualTo(Duration.ofSeconds(5)));
    clock.advance(Duration.ofSeconds(5));
    assertThat(w.runOnce().failed()).as("tried again after its backoff").isEqualTo(1);
    assertThat(events.failed.get(1).retryIn()).as("doubled").isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void largeProject_isSavedInPagesOfMaxChanges() {
    Persistence<TestShape> paged = Persistence.builder(repository).clock(clock)
        .config(PersistenceConfig.builder().maxChangesPerSave(7).build()).build();
    InMemoryCanvasStore<TestShape> s = InMemoryCanvasStore.builder(SHAPES, paged).clock(clock).build();
    for (int i = 0; i < 50; i++) {
      s.put("big", "o" + i, shape("o" + i, i));
    }
    AutoSaveWorker w = paged.worker();
    workers.add(w);

    AutoSaveWorker.Round round = w.runOnce();

    assertThat(round.savedObjects()).isEqualTo(50);
    assertThat(repository.applied()).hasSize(8).allSatisfy(c -> assertThat(c.size()).isLessThanOrEqualTo(7));
    assertThat(durable.load("big")).hasSize(50);
  }

  @Test
  void writes_withPersistence_stillDeliverTheirEvents() {
    store.put("p", "a", shape("a", 1));
    List<CanvasEvent<TestShape>> seen = new CopyOnWriteArrayList<>();
    store.subscribe("p", seen::add);

    store.put("p", "b", shape("b", 2));
    store.clear("p");
    worker().runOnce();

    assertThat(seen).extracting(e -> e.getClass().getSimpleName()).containsExactly("Put", "Cleared");
    assertThat(durable.load("p")).isEmpty();
  }

  @Test
  void listenerThatThrows_doesNotStopTheSave() {
    persistence.addListener(new PersistenceListener() {
      @Override
      public void onSaved(SaveEvent event) {
        throw new IllegalStateException("listener bug");
      }
    });
    store.put("p", "a", shape("a", 1));

    worker().runOnce();

    assertThat(durable.load("p")).containsOnlyKeys("a");
    assertThat(events.saved).hasSize(1);
  }

  // ---- claims and leases ----

  @Test
  void workerKilledMidSave_anotherWorkerSavesAfterTheLease() throws Exception {
    store.put("p", "a", shape("a", 1));
    Gate gate = Gate.closed();
    repository.holdSaves(gate);
    AutoSaveWorker killed = worker().start();
    gate.awaitReached();

    killed.shutdownNow();
    AutoSaveWorker other = worker();
    AutoSaveWorker.Round whileLeased = other.runOnce();
    clock.advance(LEASE);
    AutoSaveWorker.Round afterLease = other.runOnce();

    assertThat(whileLeased.projects()).as("taken by the killed worker until its lease ends")
        .isZero();
    assertThat(whileLeased.savedObjects()).isZero();
    assertThat(afterLease.savedObjects()).isEqualTo(1);
    assertThat(durable.load("p")).containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
    assertThat(repository.applied()).as("only the second worker's save reached the repository")
        .hasSize(1);
    assertThat(persistence.stats().backlog().orElseThrow().projects()).isZero();
  }

  @Test
  void saveDelayedPastItsLease_isRejectedByItsFenceAndTheNewerValueStays() throws Exception {
    store.put("p", "a", shape("a", 1));
    Gate gate = Gate.closed();
    repository.holdSaves(gate);
    AutoSaveWorker slow = worker();
    Future<AutoSaveWorker.Round> slowRound = threads.submit(slow::runOnce);
    gate.awaitReached();
    store.put("p", "a", shape("a", 2));
    clock.advance(LEASE.plusSeconds(1));

    AutoSaveWorker.Round takeover = worker().runOnce();
    gate.open();
    AutoSaveWorker.Round late = slowRound.get(1, TimeUnit.MINUTES);

    assertThat(takeover.savedObjects()).isEqualTo(1);
    assertThat(late.failed()).isEqualTo(1);
    assertThat(events.failed).singleElement().extracting(SaveFailedEvent::reason)
        .isEqualTo(SaveFailedEvent.Reason.SUPERSEDED);
    assertThat(durable.load("p")).containsExactlyEntriesOf(Map.of("a", shape("a", 2)));
    assertThat(persistence.stats().backlog().orElseThrow().projects()).isZero();
  }

  @Test
  void close_savesWhatIsLeft_shutdownNowDoesNot() {
    store.put("p", "a", shape("a", 1));
    AutoSaveWorker crashing = worker().start();
    crashing.shutdownNow();
    assertThat(durable.load("p")).isEmpty();

    AutoSaveWorker closing = worker().start();
    closing.close();

    assertThat(durable.load("p")).containsOnlyKeys("a");
    assertThat(closing.isClosed()).isTrue();
    assertThatThrownBy(closing::runOnce).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void startedWorker_savesOnItsOwn() {
    store.put("p", "a", shape("a", 1));

    worker().start();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(
        () -> assertThat(durable.load("p")).containsOnlyKeys("a"));
  }

  // ---- read-through ----

  @Test
  void getAll_projectOnlyInTheRepository_loadsItOnce() {
    durable.save(new ProjectChanges<>("p", 1, Map.of("a", shape("a", 1), "b", shape("b", 2)),
        Set.of()));

    assertThat(store.getAll("p")).containsOnlyKeys("a", "b");
    assertThat(store.get("p", "b")).contains(shape("b", 2));
    assertThat(store.count("p")).isEqualTo(2);

    assertThat(repository.loads()).isEqualTo(1);
    assertThat(persistence.stats().loads()).isEqualTo(1);
    assertThat(persistence.stats().backlog().orElseThrow().projects())
        .as("a load is not a change").isZero();
  }

  @Test
  void unknownProject_isLoadedOnceAndRememberedAsEmpty() {
    assertThat(store.getAll("new")).isEmpty();
    assertThat(store.get("new", "a")).isEmpty();
    assertThat(store.ids("new")).isEmpty();

    assertThat(repository.loads()).isEqualTo(1);
    store.put("new", "a", shape("a", 1));
    assertThat(store.getAll("new")).containsOnlyKeys("a");
    assertThat(repository.loads()).isEqualTo(1);
  }

  @Test
  void write_projectOnlyInTheRepository_loadsItFirstSoNothingIsHidden() {
    durable.save(new ProjectChanges<>("p", 1, Map.of("a", shape("a", 1)), Set.of()));

    store.put("p", "b", shape("b", 2));

    assertThat(store.getAll("p")).containsOnlyKeys("a", "b");
    worker().runOnce();
    assertThat(durable.load("p")).containsOnlyKeys("a", "b");
  }

  @Test
  void clear_projectOnlyInTheRepository_deletesItFromTheRepositoryOnSave() {
    durable.save(new ProjectChanges<>("p", 1, Map.of("a", shape("a", 1), "b", shape("b", 1)),
        Set.of()));

    store.clear("p");
    worker().runOnce();

    assertThat(durable.load("p")).isEmpty();
    assertThat(store.getAll("p")).isEmpty();
  }

  @Test
  void removeLastObject_savedAsADelete_andTheProjectStaysGone() {
    store.put("p", "a", shape("a", 1));
    worker().runOnce();

    store.remove("p", "a");
    assertThat(store.getAll("p")).as("the delete is unsaved: no read-through").isEmpty();
    worker().runOnce();
    clock.advance(TTL.multipliedBy(2));

    assertThat(durable.load("p")).isEmpty();
    assertThat(store.getAll("p")).isEmpty();
  }

  @Test
  void coldLoad_eightConcurrentCallers_repositoryLoadedOnce() throws Exception {
    durable.save(new ProjectChanges<>("p", 1, Map.of("a", shape("a", 1), "b", shape("b", 2)),
        Set.of()));
    Gate gate = Gate.closed();
    repository.holdLoads(gate);
    List<Future<Map<String, TestShape>>> reads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      reads.add(threads.submit(() -> store.getAll("p")));
    }
    gate.awaitReached();
    await().atMost(Duration.ofSeconds(30))
        .until(() -> persistence.stats().loadWaits() >= 7);

    gate.open();

    for (Future<Map<String, TestShape>> read : reads) {
      assertThat(read.get(1, TimeUnit.MINUTES)).containsOnlyKeys("a", "b");
    }
    assertThat(repository.loads()).isEqualTo(1);
  }

  @Test
  void repositoryLoadFails_callerGetsStoreExceptionAndTheNextCallLoadsAgain() {
    Persistence<TestShape> broken = Persistence.builder(new FailingOnceRepository()).clock(clock)
        .build();
    InMemoryCanvasStore<TestShape> s = InMemoryCanvasStore.builder(SHAPES, broken).clock(clock).build();

    assertThatThrownBy(() -> s.getAll("p"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("\"p\"")
        .hasMessageContaining("disk on fire");
    assertThat(s.getAll("p")).containsOnlyKeys("a");
  }

  /** Fails its first load, then has one object. */
  private static final class FailingOnceRepository
      implements io.canvasstate.persistence.CanvasRepository<TestShape> {
    private boolean failed;

    @Override
    public synchronized Map<String, TestShape> load(String projectId) {
      if (!failed) {
        failed = true;
        throw new IllegalStateException("disk on fire");
      }
      return Map.of("a", shape("a", 1));
    }

    @Override
    public boolean save(ProjectChanges<TestShape> changes) {
      return true;
    }
  }

  @Test
  void warm_listedProjects_loadsTheColdOnesOnce() {
    durable.save(new ProjectChanges<>("p1", 1, Map.of("a", shape("a", 1)), Set.of()));
    durable.save(new ProjectChanges<>("p2", 1, Map.of("b", shape("b", 1)), Set.of()));
    store.put("p3", "c", shape("c", 1));

    int loaded = persistence.warm(List.of("p1", "p2", "p3"));
    int again = persistence.warm(List.of("p1", "p2", "p3"));

    assertThat(loaded).isEqualTo(2);
    assertThat(again).isZero();
    assertThat(repository.loads()).isEqualTo(3);
    assertThat(store.activeProjects()).containsExactlyInAnyOrder("p1", "p2", "p3");
    assertThatThrownBy(() -> persistence.warm(List.of("ok", "bad:id")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad:id");
  }

  @Test
  void persistence_attachedToASecondStore_throws() {
    assertThatThrownBy(() -> InMemoryCanvasStore.builder(SHAPES, persistence).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already attached");
    Persistence<TestShape> unattached = Persistence.builder(repository).build();
    assertThatThrownBy(unattached::worker).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not attached");
  }
}
