package io.canvasstate.inmemory.failover;

import static io.canvasstate.failover.FailoverState.CLOSED;
import static io.canvasstate.failover.FailoverState.FAILED_OVER;
import static io.canvasstate.failover.FailoverState.HEALTHY;
import static io.canvasstate.failover.FailoverState.RECOVERING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.CodecException;
import io.canvasstate.StoreException;
import io.canvasstate.contract.RecordingListener;
import io.canvasstate.failover.ChangeKey;
import io.canvasstate.failover.ConflictEvent;
import io.canvasstate.failover.DroppedEvent;
import io.canvasstate.failover.FailoverCanvasStore;
import io.canvasstate.failover.FailoverListener;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStats;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.failover.TransitionEvent;
import io.canvasstate.inmemory.failover.Harness.Instance;
import io.canvasstate.inmemory.failover.Harness.Redis;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The failover state machine over the in-memory fake: outages are a {@code Faults} switch (or a
 * {@link FlakyCanvasStore}), time is a manual clock and probes run when the test says. Nothing
 * sleeps.
 */
class FailoverStoreTest {
  private final Redis redis = new Redis();
  private final List<Instance> instances = new ArrayList<>();

  private Instance instance() {
    return track(redis.instance());
  }

  private Instance track(Instance i) {
    instances.add(i);
    return i;
  }

  @AfterEach
  void closeInstances() {
    instances.forEach(Instance::close);
  }

  // ---- healthy ----

  @Test
  void healthy_everyCallGoesToThePrimary_fallbackStaysEmpty() {
    Instance app = instance();

    app.canvas.put("p", "a", "1");
    app.presence.put("u", "here");

    assertThat(redis.object("p", "a")).isEqualTo("1");
    assertThat(redis.presenceOf("u")).isEqualTo("here");
    assertThat(app.canvas.get("p", "a")).contains("1");
    assertThat(app.canvasFallback.activeProjects()).isEmpty();
    assertThat(app.presenceFallback.activeUsers()).isEmpty();
    assertThat(app.failover.state()).isEqualTo(HEALTHY);
    assertThat(app.events.transitions).isEmpty();
  }

  // ---- failing over ----

  @Test
  void primaryFails_failingCallAndLaterOnesAnsweredFromFallback_noException() {
    Instance app = instance();
    app.canvas.put("p", "a", "1");
    app.cutOff();

    app.canvas.put("p", "b", "2");
    Optional<String> a = app.canvas.get("p", "a");
    Map<String, String> all = app.canvas.getAll("p");

    assertThat(a).contains("1");
    assertThat(all).containsOnly(Map.entry("a", "1"), Map.entry("b", "2"));
    assertThat(app.failover.state()).isEqualTo(FAILED_OVER);
    assertThat(app.faults.injectedFailures()).as("only the first call tried the primary")
        .isEqualTo(1);
    assertThat(redis.object("p", "b")).isNull();
  }

  @Test
  void primaryFails_switchesOnce_oneTransitionEventAndCounter() {
    Instance app = instance();
    app.cutOff();

    for (int i = 0; i < 20; i++) {
      app.canvas.put("p", "o" + i, "v");
      app.presence.put("u" + i, "here");
    }

    assertThat(app.events.transitions).singleElement().satisfies(e -> {
      assertThat(e.from()).isEqualTo(HEALTHY);
      assertThat(e.to()).isEqualTo(FAILED_OVER);
      assertThat(e.reason()).isEqualTo(TransitionEvent.Reason.PRIMARY_UNAVAILABLE);
      assertThat(e.cause()).hasValueSatisfying(c -> assertThat(c).contains("injected"));
      assertThat(e.at()).isEqualTo(redis.clock.instant());
    });
    assertThat(app.failover.stats().failovers()).isEqualTo(1);
    assertThat(app.failover.stats().pending()).isEqualTo(40);
  }

  @Test
  void outageReads_projectsAndUsersSeenBefore_returnTheLastKnownState() {
    Instance other = instance();
    other.canvas.putAll("p", Map.of("a", "1", "b", "2", "c", "3"));
    other.canvas.put("q", "x", "9");
    other.presence.put("ann", "at 1,1");
    Instance app = instance();
    assertThat(app.canvas.getAll("p")).hasSize(3);
    assertThat(app.canvas.get("q", "x")).contains("9");
    assertThat(app.presence.getAll()).containsOnlyKeys("ann");
    app.cutOff();

    assertThat(app.canvas.getAll("p"))
        .containsOnly(Map.entry("a", "1"), Map.entry("b", "2"), Map.entry("c", "3"));
    assertThat(app.canvas.get("q", "x")).contains("9");
    assertThat(app.canvas.count("p")).isEqualTo(3);
    assertThat(app.canvas.activeProjects()).containsExactlyInAnyOrder("p", "q");
    assertThat(app.presence.get("ann")).contains("at 1,1");
  }

  @Test
  void outageReads_projectNotSeenWithinItsLifetime_notSeeded() {
    Instance app = instance();
    app.canvas.put("old", "a", "1");
    redis.clock.advance(redis.ttl.canvasTtl().plusSeconds(1));
    app.canvas.put("new", "a", "1");
    app.cutOff();

    assertThat(app.canvas.activeProjects()).containsExactly("new");
  }

  @Test
  void outage_manyCallsAndProbes_eachTransitionLoggedOnce() {
    Instance app = instance();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      app.cutOff();
      for (int i = 0; i < 200; i++) {
        app.canvas.put("p", "o" + i, "v");
        app.canvas.getAll("p");
        if (i % 20 == 0) {
          app.failover.probeNow();
        }
      }
      app.reconnect();
    } finally {
      System.setErr(stderr);
    }

    String logged = log.toString(StandardCharsets.UTF_8);
    assertThat(logged.lines().filter(l -> l.contains("serving from memory"))).hasSize(1);
    assertThat(logged.lines().filter(l -> l.contains("FailoverStore"))).hasSizeLessThanOrEqualTo(3);
    assertThat(app.events.transitions).hasSize(3);
  }

  @Test
  void otherStoreExceptions_reachTheCaller_noFailover() {
    Instance app = instance();
    app.faults.failWith(op -> new StoreException("WRONGTYPE in " + op));

    assertThatThrownBy(() -> app.canvas.put("p", "a", "1"))
        .isInstanceOf(StoreException.class).hasMessageContaining("WRONGTYPE");
    assertThatThrownBy(() -> app.presence.get("u")).isInstanceOf(StoreException.class);
    assertThat(app.failover.state()).isEqualTo(HEALTHY);
  }

  @Test
  void badArguments_throwBeforeAnyCall_inEveryState() {
    Instance app = instance();
    assertThatThrownBy(() -> app.canvas.put("p}", "a", "1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p}");
    app.cutOff();
    app.canvas.get("p", "a");

    assertThatThrownBy(() -> app.canvas.put("p", "a:b", "1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a:b");
    assertThatThrownBy(() -> app.presence.put("", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId");
    assertThatThrownBy(() -> app.canvas.put("p", "a", null))
        .isInstanceOf(NullPointerException.class);
    assertThat(app.failover.stats().pending()).isZero();
  }

  @Test
  void put_oversizedValueDuringOutage_rejectedAndNotJournaled() {
    Redis small = new Redis(redis.clock, redis.ttl, 8);
    Instance app = track(small.instance());
    app.cutOff();
    app.canvas.get("p", "a");

    assertThatThrownBy(() -> app.canvas.put("p", "a", "far too long for eight bytes"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes");
    assertThat(app.failover.stats().pending()).isZero();
  }

  @Test
  void undecodableValue_getThrowsCodecException_getAllLeavesItOut_inBothStates() {
    Instance app = instance();
    redis.canvas.putEncoded("p", "bad", new byte[] {(byte) 0xff, 'x'});
    app.canvas.put("p", "good", "1");
    FailoverCanvasStore<Integer> numbers = app.failover.canvas(new IntCodec());

    assertThat(numbers.getAll("p")).containsOnlyKeys("good");
    assertThatThrownBy(() -> numbers.get("p", "bad"))
        .isInstanceOf(CodecException.class).hasMessageContaining("bad");
    app.cutOff();
    assertThat(numbers.getAll("p")).containsOnlyKeys("good");
    assertThat(numbers.undecodableValues()).isEqualTo(2);
  }

  /** Decimal integers as text; anything else fails to decode. */
  private static final class IntCodec implements io.canvasstate.Codec<Integer> {
    @Override
    public byte[] encode(Integer value) {
      return value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public Integer decode(byte[] bytes) {
      return Integer.valueOf(Harness.text(bytes));
    }
  }

  // ---- thresholds ----

  @Test
  void failureThreshold_repeatableCallsRetriedBelowIt_noFailover() {
    Instance app = track(redis.instance(c -> c.failureThreshold(3)));
    app.faults.failNext(2);

    app.canvas.put("p", "a", "1");

    assertThat(app.failover.state()).isEqualTo(HEALTHY);
    assertThat(redis.object("p", "a")).isEqualTo("1");
  }

  @Test
  void failureThreshold_reached_failsOver() {
    Instance app = track(redis.instance(c -> c.failureThreshold(3)));
    app.faults.failNext(3);

    app.canvas.put("p", "a", "1");

    assertThat(app.failover.state()).isEqualTo(FAILED_OVER);
    assertThat(app.canvas.get("p", "a")).contains("1");
  }

  @Test
  void failureThreshold_unrepeatableCall_failsOverAtOnce() {
    Instance app = track(redis.instance(c -> c.failureThreshold(3)));
    app.canvas.put("p", "a", "1");
    app.faults.failNext(1);

    assertThat(app.canvas.remove("p", "a")).isTrue();

    assertThat(app.failover.state()).isEqualTo(FAILED_OVER);
  }

  @Test
  void probeNow_belowRecoveryThreshold_needsThatManyProbesInARow() {
    Instance app = track(redis.instance(c -> c.recoveryThreshold(3)));
    app.cutOff();
    app.canvas.put("p", "a", "1");
    app.faults.recover();

    assertThat(app.failover.probeNow()).isEqualTo(FAILED_OVER);
    app.faults.failNext(1);
    assertThat(app.failover.probeNow()).as("a failed probe starts the count again")
        .isEqualTo(FAILED_OVER);
    assertThat(app.failover.probeNow()).isEqualTo(FAILED_OVER);
    assertThat(app.failover.probeNow()).isEqualTo(FAILED_OVER);
    assertThat(app.failover.probeNow()).isEqualTo(HEALTHY);
    assertThat(redis.object("p", "a")).isEqualTo("1");
  }

  @Test
  void probe_primaryStillDown_staysOnFallback() {
    Instance app = instance();
    app.cutOff();
    app.canvas.put("p", "a", "1");

    assertThat(app.failover.probeNow()).isEqualTo(FAILED_OVER);
    assertThat(app.failover.probeNow()).isEqualTo(FAILED_OVER);
    assertThat(app.events.transitions).hasSize(1);
  }

  @Test
  void probeNow_whenHealthy_doesNothing() {
    Instance app = instance();
    app.canvasPrimary.calls().reset();

    assertThat(app.failover.probeNow()).isEqualTo(HEALTHY);
    assertThat(app.canvasPrimary.calls().get("count")).isZero();
  }

  // ---- recovery ----

  @Test
  void recovery_writesAndDeletesWrittenBackBeforeSwitching_inOrder() {
    Instance app = track(redis.instance(c -> c.writeBackBatchSize(2)));
    app.canvas.putAll("p", Map.of("keep", "0", "gone", "0", "edit", "0"));
    app.canvas.getAll("p");
    app.cutOff();
    app.canvas.put("p", "new", "1");
    app.canvas.remove("p", "gone");
    app.canvas.put("p", "edit", "1");
    app.canvas.put("p", "new", "2");
    app.canvas.put("q", "x", "1");
    app.flaky.clearLog();

    assertThat(app.reconnect()).isEqualTo(HEALTHY);

    assertThat(redis.canvas.getAll("p")).hasSize(3);
    assertThat(redis.object("p", "keep")).isEqualTo("0");
    assertThat(redis.object("p", "gone")).isNull();
    assertThat(redis.object("p", "edit")).isEqualTo("1");
    assertThat(redis.object("p", "new")).isEqualTo("2");
    assertThat(redis.object("q", "x")).isEqualTo("1");
    assertThat(app.flaky.log()).filteredOn(s -> !s.startsWith("count"))
        .as("latest change per object, in the order of the latest changes")
        .containsExactly("removeIf p/gone", "replaceIf p/edit", "putIfAbsent p/new",
            "putIfAbsent q/x");
    assertThat(app.events.states()).containsExactly(FAILED_OVER, RECOVERING, HEALTHY);
    assertThat(app.events.transitions.get(2).reason())
        .isEqualTo(TransitionEvent.Reason.WRITE_BACK_COMPLETE);
    FailoverStats stats = app.failover.stats();
    assertThat(stats.writtenBack()).isEqualTo(4);
    assertThat(stats.pending()).isZero();
    assertThat(stats.conflicts()).isZero();
    assertThat(app.canvasFallback.activeProjects()).as("fallback emptied").isEmpty();
  }

  @Test
  void recovery_writtenBack_laterCallsGoToThePrimaryAgain() {
    Instance app = instance();
    app.cutOff();
    app.canvas.put("p", "a", "1");
    app.reconnect();

    app.canvas.put("p", "b", "2");

    assertThat(redis.object("p", "b")).isEqualTo("2");
    assertThat(app.canvasFallback.activeProjects()).isEmpty();
  }

  @Test
  void recovery_nothingDeletedComesBack_evenDeletesOfObjectsLoadedBeforeTheOutage() {
    Instance app = instance();
    app.canvas.putAll("p", Map.of("a", "1", "b", "2"));
    app.cutOff();
    app.canvas.remove("p", "a");
    app.canvas.getAndRemove("p", "b");
    app.canvas.put("p", "c", "3");
    app.canvas.remove("p", "c");

    app.reconnect();

    assertThat(redis.canvas.getAll("p")).isEmpty();
    assertThat(app.canvas.getAll("p")).isEmpty();
  }

  @Test
  void recovery_clearDuringOutage_deletesKnownObjectsAndKeepsLaterWrites() {
    Instance app = instance();
    app.canvas.putAll("p", Map.of("a", "1", "b", "2"));
    app.cutOff();
    app.canvas.put("p", "c", "3");
    app.canvas.clear("p");
    app.canvas.put("p", "d", "4");

    app.reconnect();

    assertThat(redis.canvas.ids("p")).containsExactly("d");
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void recovery_conditionalWritesDuringOutage_writtenBackWithTheirOutcome() {
    Instance app = instance();
    app.canvas.putAll("p", Map.of("a", "1", "b", "2", "c", "3"));
    app.cutOff();

    assertThat(app.canvas.replace("p", "a", "1", "10")).isTrue();
    assertThat(app.canvas.replace("p", "b", "wrong", "20")).isFalse();
    assertThat(app.canvas.putIfAbsent("p", "d", "4")).isEmpty();
    assertThat(app.canvas.putIfAbsent("p", "c", "30")).contains("3");
    assertThat(app.canvas.remove("p", "c", "3")).isTrue();
    assertThat(app.canvas.replace("p", "b", "21")).contains("2");
    assertThat(app.canvas.getAndPut("p", "e", "5")).isEmpty();
    assertThat(app.canvas.asMap("p").merge("e", "5", (x, y) -> x + y)).isEqualTo("55");
    app.reconnect();

    assertThat(app.canvas.getAll("p")).containsOnly(Map.entry("a", "10"), Map.entry("b", "21"),
        Map.entry("d", "4"), Map.entry("e", "55"));
    assertThat(redis.canvas.getAll("p")).hasSize(4);
  }

  @Test
  void startup_primaryDown_startsOnFallbackAndMovesToPrimaryWhenItAppears() {
    Instance app = track(redis.instanceStartingDown(c -> c));

    assertThat(app.failover.state()).isEqualTo(FAILED_OVER);
    assertThat(app.events.transitions).singleElement().satisfies(e ->
        assertThat(e.reason()).isEqualTo(TransitionEvent.Reason.PRIMARY_UNAVAILABLE_AT_START));
    app.canvas.put("p", "a", "1");
    app.presence.put("u", "here");
    assertThat(app.canvas.get("p", "a")).contains("1");

    app.reconnect();

    assertThat(app.failover.state()).isEqualTo(HEALTHY);
    assertThat(redis.object("p", "a")).isEqualTo("1");
    assertThat(redis.presenceOf("u")).isEqualTo("here");
  }

  @Test
  void startup_redisHeldObjectsThisInstanceNeverSaw_outageWritesToThemConflict() {
    Instance before = instance();
    before.canvas.put("p", "a", "from before the restart");
    Instance app = track(redis.instanceStartingDown(c -> c));

    app.canvas.put("p", "a", "written blind");
    app.reconnect();

    assertThat(redis.object("p", "a")).isEqualTo("from before the restart");
    assertThat(app.events.conflicts).singleElement().satisfies(c -> {
      assertThat(c.outageValue()).contains("written blind");
      assertThat(c.storeValue()).contains("from before the restart");
    });
  }

  @Test
  void blindDelete_objectThisInstanceNeverKnew_deletedOnWriteBackAndRemovedValueReported() {
    Instance other = instance();
    other.canvas.put("p", "a", "written elsewhere");
    other.canvas.put("p", "b", "written elsewhere");
    Instance app = instance();
    app.cutOff();

    assertThat(app.canvas.remove("p", "a")).as("this instance cannot tell").isFalse();
    assertThat(app.canvas.getAndRemove("p", "gone")).isEmpty();
    assertThat(app.failover.stats().pending()).isEqualTo(2);
    app.reconnect();

    assertThat(redis.object("p", "a")).isNull();
    assertThat(redis.object("p", "b")).isEqualTo("written elsewhere");
    assertThat(app.events.conflicts).singleElement().satisfies(c -> {
      assertThat(c.key()).isEqualTo(ChangeKey.canvas("p", "a"));
      assertThat(c.reason()).isEqualTo(ConflictEvent.Reason.DELETED_UNSEEN_VALUE);
      assertThat(c.outageValue()).isEmpty();
      assertThat(c.storeValue()).contains("written elsewhere");
    });
    assertThat(app.failover.stats().writtenBack()).isEqualTo(2);
  }

  @Test
  void blindDelete_objectKnownToBeMissing_isNotJournaled() {
    Instance app = instance();
    app.canvas.getAll("p");
    app.canvas.get("q", "a");
    app.cutOff();

    assertThat(app.canvas.remove("p", "a")).isFalse();
    assertThat(app.canvas.remove("q", "a")).isFalse();

    assertThat(app.failover.stats().pending()).isZero();
  }

  @Test
  void writeBack_writerKeepsPaceWithIt_callsWaitForOneBatchAtMostAndItStillCompletes()
      throws Exception {
    int batch = 5;
    Instance app = track(redis.instance(c -> c.writeBackBatchSize(batch)));
    app.cutOff();
    for (int i = 0; i < 40; i++) {
      app.canvas.put("p", "o" + i, "outage");
    }
    AtomicLong primaryCalls = new AtomicLong();
    AtomicLong changesMade = new AtomicLong();
    AtomicLong longestWait = new AtomicLong();
    AtomicLong callsWhileBlocked = new AtomicLong();
    AtomicBoolean inCall = new AtomicBoolean();
    // A writer in step with the write-back: one more outage change for each call the write-back
    // makes to the primary (each waits up to 10 ms for the other), so that every pass over the
    // journal leaves about as many changes as it wrote.
    Thread writer = new Thread(() -> {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      for (int n = 0; n < 400 && app.failover.state() != HEALTHY
          && System.nanoTime() < deadline; n++) {
        callsWhileBlocked.set(0);
        inCall.set(true);
        app.canvas.put("p", "w" + n, "during the write-back");
        inCall.set(false);
        longestWait.accumulateAndGet(callsWhileBlocked.get(), Math::max);
        changesMade.incrementAndGet();
        long after = primaryCalls.get();
        while (primaryCalls.get() <= after && app.failover.state() != HEALTHY
            && System.nanoTime() < deadline) {
          Thread.yield();
        }
      }
    }, "outage-writer");
    app.flaky.beforeCall(call -> {
      long n = primaryCalls.incrementAndGet();
      // A primary call made while the writer's call is parked, waiting for the store's lock.
      if (inCall.get() && writer.getState() == Thread.State.WAITING) {
        callsWhileBlocked.incrementAndGet();
      }
      long until = System.nanoTime() + Duration.ofMillis(10).toNanos();
      while (changesMade.get() < n && System.nanoTime() < until) {
        Thread.yield();
      }
    });
    writer.start();

    app.reconnect();
    writer.join(30_000);

    assertThat(app.failover.state()).isEqualTo(HEALTHY);
    assertThat(longestWait.get())
        .as("primary calls the write-back made while one writer call waited for the lock")
        .isLessThanOrEqualTo(batch);
    assertThat(app.failover.stats().pending()).isZero();
    assertThat(redis.object("p", "o39")).isEqualTo("outage");
  }

  @Test
  void stats_clockMovesDuringOutage_timeInStateFollowsIt() {
    Instance app = instance();
    redis.clock.advance(Duration.ofMinutes(3));
    app.cutOff();
    app.canvas.get("p", "a");
    redis.clock.advance(Duration.ofSeconds(42));

    FailoverStats stats = app.failover.stats();

    assertThat(stats.state()).isEqualTo(FAILED_OVER);
    assertThat(stats.timeInState()).isEqualTo(Duration.ofSeconds(42));
    assertThat(stats.since()).isEqualTo(redis.clock.instant().minusSeconds(42));
  }

  // ---- flapping and uncertain outcomes ----

  @Test
  void flapping_primaryFailsAgainDuringWriteBack_keepsEveryChangeNotWritten() {
    Instance app = track(redis.instance(c -> c.writeBackBatchSize(2)));
    app.cutOff();
    for (int i = 0; i < 6; i++) {
      app.canvas.put("p", "o" + i, "v" + i);
    }
    app.faults.recover();
    app.flaky.failAfter(3 + 1);

    assertThat(app.failover.probeNow()).isEqualTo(FAILED_OVER);

    assertThat(app.events.states()).containsExactly(FAILED_OVER, RECOVERING, FAILED_OVER);
    assertThat(app.events.transitions.get(2).reason())
        .isEqualTo(TransitionEvent.Reason.PRIMARY_UNAVAILABLE_DURING_WRITE_BACK);
    assertThat(redis.canvas.ids("p")).containsExactlyInAnyOrder("o0", "o1", "o2");
    assertThat(app.failover.stats().pending()).isEqualTo(3);
    assertThat(app.canvas.getAll("p")).as("still served from memory, all of it").hasSize(6);
    app.canvas.put("p", "o7", "v7");

    app.flaky.heal();
    assertThat(app.failover.probeNow()).isEqualTo(HEALTHY);

    assertThat(redis.canvas.getAll("p")).hasSize(7);
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void lostReply_writeAppliedByPrimaryThenTimedOut_isOursNotAConflict() {
    Instance app = instance();
    app.canvas.put("p", "a", "0");
    app.flaky.loseNextReply();

    app.canvas.put("p", "a", "1");
    app.canvas.put("p", "a", "2");
    assertThat(redis.object("p", "a")).as("the primary did apply the first write").isEqualTo("1");
    app.reconnect();

    assertThat(redis.object("p", "a")).isEqualTo("2");
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void lostReply_duringWriteBack_retriedWithoutConflict() {
    Instance app = instance();
    app.canvas.put("p", "a", "0");
    app.cutOff();
    app.canvas.get("p", "a");
    app.canvas.put("p", "a", "1");
    app.faults.recover();
    app.flaky.beforeCall(op -> {
      if (op.equals("replaceIf p/a")) {
        app.flaky.loseNextReply();
        app.flaky.beforeCall(o -> {});
      }
    });

    assertThat(app.failover.probeNow()).isEqualTo(FAILED_OVER);
    app.canvas.put("p", "a", "2");
    assertThat(app.failover.probeNow()).isEqualTo(HEALTHY);

    assertThat(redis.object("p", "a")).isEqualTo("2");
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void overlappingHealthyWrites_recordedOutOfOrder_outageWriteIsStillNoConflict() {
    Instance app = instance();
    app.canvas.put("p", "a", "0");
    app.flaky.afterCall(op -> {
      if (op.equals("put p/a")) {
        app.flaky.afterCall(o -> {});
        app.canvas.put("p", "a", "2");
      }
    });
    app.canvas.put("p", "a", "1");
    assertThat(redis.object("p", "a")).as("the overlapping write reached Redis last")
        .isEqualTo("2");
    app.cutOff();

    app.canvas.put("p", "a", "3");
    app.reconnect();

    assertThat(redis.object("p", "a")).isEqualTo("3");
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void put_completesOnPrimaryAfterTheSwitch_isMirroredIntoTheFallback() {
    Instance app = instance();
    app.flaky.afterCall(op -> {
      if (op.equals("put p/a")) {
        app.flaky.afterCall(o -> {});
        app.cutOff();
        app.canvas.get("p", "other");
      }
    });

    app.canvas.put("p", "a", "1");

    assertThat(app.failover.state()).isEqualTo(FAILED_OVER);
    assertThat(app.canvas.get("p", "a")).as("read your write during the outage").contains("1");
    app.reconnect();
    assertThat(redis.object("p", "a")).isEqualTo("1");
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void put_completesOnPrimaryAfterAnOutageWriteToIt_isOursNotAConflict() {
    Instance app = instance();
    app.flaky.afterCall(op -> {
      if (op.equals("put p/a")) {
        app.flaky.afterCall(o -> {});
        app.cutOff();
        app.canvas.put("p", "a", "2");
      }
    });

    app.canvas.put("p", "a", "1");
    assertThat(redis.object("p", "a")).isEqualTo("1");
    app.reconnect();

    assertThat(redis.object("p", "a")).isEqualTo("2");
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void put_duringWriteBack_newerValueWrittenBackToo() {
    Instance app = track(redis.instance(c -> c.writeBackBatchSize(1)));
    app.cutOff();
    app.canvas.put("p", "a", "1");
    app.canvas.put("p", "b", "1");
    app.canvas.put("p", "c", "1");
    app.faults.recover();
    app.flaky.beforeCall(op -> {
      if (op.equals("putIfAbsent p/a")) {
        app.flaky.beforeCall(o -> {});
        assertThat(app.failover.state()).isEqualTo(RECOVERING);
        app.canvas.put("p", "a", "2");
        app.canvas.put("p", "d", "2");
      }
    });

    assertThat(app.failover.probeNow()).isEqualTo(HEALTHY);

    assertThat(redis.object("p", "a")).isEqualTo("2");
    assertThat(redis.object("p", "d")).isEqualTo("2");
    assertThat(redis.canvas.ids("p")).hasSize(4);
    assertThat(app.events.conflicts).isEmpty();
  }

  // ---- two instances: the conflict rule ----

  @Test
  void conflict_otherInstanceWroteDuringOutage_itsValueKeptAndListenerToldBoth() {
    Instance app = instance();
    Instance other = instance();
    app.canvas.putAll("p", Map.of("shared", "0", "mine", "0", "theirs", "0"));
    other.canvas.getAll("p");
    app.cutOff();
    app.canvas.put("p", "shared", "app");
    app.canvas.put("p", "mine", "app");
    other.canvas.put("p", "shared", "other");
    other.canvas.put("p", "theirs", "other");

    app.reconnect();

    assertThat(redis.object("p", "shared")).isEqualTo("other");
    assertThat(redis.object("p", "mine")).isEqualTo("app");
    assertThat(redis.object("p", "theirs")).isEqualTo("other");
    assertThat(app.events.conflicts).singleElement().satisfies(c -> {
      assertThat(c.key()).isEqualTo(ChangeKey.canvas("p", "shared"));
      assertThat(c.reason()).isEqualTo(ConflictEvent.Reason.WRITTEN_ELSEWHERE);
      assertThat(c.outageValue()).contains("app");
      assertThat(c.storeValue()).contains("other");
    });
    assertThat(app.failover.stats().conflicts()).isEqualTo(1);
    assertThat(app.canvas.get("p", "shared")).contains("other");
  }

  @Test
  void conflict_deleteVsUpdate_bothWaysTheStoreValueWins() {
    Instance app = instance();
    Instance other = instance();
    app.canvas.putAll("p", Map.of("x", "0", "y", "0"));
    other.canvas.getAll("p");
    app.cutOff();
    app.canvas.remove("p", "x");
    app.canvas.put("p", "y", "app");
    other.canvas.put("p", "x", "other");
    other.canvas.remove("p", "y");

    app.reconnect();

    assertThat(redis.object("p", "x")).isEqualTo("other");
    assertThat(redis.object("p", "y")).as("deleted elsewhere stays deleted").isNull();
    assertThat(app.events.conflicts).extracting(ConflictEvent::reason).containsExactly(
        ConflictEvent.Reason.WRITTEN_ELSEWHERE, ConflictEvent.Reason.DELETED_ELSEWHERE);
    assertThat(app.events.conflicts.get(0).outageValue()).as("our delete").isEmpty();
    assertThat(app.events.conflicts.get(1).storeValue()).isEmpty();
  }

  @Test
  void conflict_bothWroteTheSameValue_noConflict() {
    Instance app = instance();
    Instance other = instance();
    app.canvas.put("p", "a", "0");
    app.cutOff();
    app.canvas.put("p", "a", "same");
    other.canvas.put("p", "a", "same");

    app.reconnect();

    assertThat(redis.object("p", "a")).isEqualTo("same");
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void conflict_clearDuringOutage_objectAddedElsewhereKeptAndReported() {
    Instance app = instance();
    Instance other = instance();
    app.canvas.putAll("p", Map.of("a", "1"));
    app.cutOff();
    other.canvas.put("p", "new", "other");
    app.canvas.clear("p");

    app.reconnect();

    assertThat(redis.canvas.ids("p")).containsExactly("new");
    assertThat(app.events.conflicts).singleElement().satisfies(c -> {
      assertThat(c.key()).isEqualTo(ChangeKey.canvas("p", "new"));
      assertThat(c.outageValue()).isEmpty();
      assertThat(c.storeValue()).contains("other");
    });
  }

  // ---- bounded memory ----

  @Test
  void bufferFull_newObjectsServedButDroppedCountedAndReported_journaledOnesKeepUpdating() {
    Instance app = track(redis.instance(c -> c.outageBufferLimit(3)));
    app.cutOff();
    for (int i = 0; i < 5; i++) {
      app.canvas.put("p", "o" + i, "1");
    }
    app.canvas.put("p", "o0", "2");

    assertThat(app.canvas.getAll("p")).as("the fallback still serves them").hasSize(5);
    assertThat(app.failover.stats().dropped()).isEqualTo(2);
    assertThat(app.events.dropped).extracting(DroppedEvent::key)
        .containsExactly(ChangeKey.canvas("p", "o3"), ChangeKey.canvas("p", "o4"));
    assertThat(app.events.dropped).allSatisfy(
        d -> assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.BUFFER_FULL));

    app.reconnect();

    assertThat(redis.canvas.getAll("p")).hasSize(3);
    assertThat(redis.object("p", "o0")).isEqualTo("2");
  }

  @Test
  void longOutage_manyWritesToFewObjects_journalBoundedByObjects() {
    Instance app = instance();
    app.cutOff();
    for (int i = 0; i < 10_000; i++) {
      app.canvas.put("p", "o" + (i % 10), "v" + i);
      app.presence.put("u" + (i % 5), "v" + i);
    }

    assertThat(app.failover.stats().pending()).isEqualTo(15);
    app.reconnect();
    assertThat(redis.object("p", "o9")).isEqualTo("v9999");
  }

  // ---- presence ----

  @Test
  void presence_outageHeartbeats_writtenBackUnlessExpired() {
    Instance app = instance();
    app.presence.put("left", "here");
    app.cutOff();
    app.presence.put("stale", "here");
    redis.clock.advance(redis.ttl.presenceTtl().minusSeconds(10));
    app.presence.put("fresh", "here");
    app.presence.remove("left");
    redis.clock.advance(Duration.ofSeconds(20));

    app.reconnect();

    assertThat(redis.presence.activeUsers()).containsExactly("fresh");
    assertThat(app.failover.stats().expired()).isEqualTo(1);
    assertThat(app.events.dropped).singleElement().satisfies(d -> {
      assertThat(d.key()).isEqualTo(ChangeKey.presence("stale"));
      assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.EXPIRED);
    });
    assertThat(app.failover.stats().dropped()).as("expiry is not a loss").isZero();
  }

  @Test
  void presence_expiredInPrimaryDuringOutage_isNoConflict() {
    Instance app = instance();
    app.presence.put("u", "at 1");
    app.cutOff();
    redis.clock.advance(redis.ttl.presenceTtl().plusSeconds(1));
    app.presence.put("u", "at 2");

    app.reconnect();

    assertThat(redis.presenceOf("u")).isEqualTo("at 2");
    assertThat(app.events.conflicts).isEmpty();
  }

  @Test
  void presence_otherInstanceHeartbeatDuringOutage_keptAndReported() {
    Instance app = instance();
    Instance other = instance();
    app.presence.put("u", "on app");
    app.cutOff();
    app.presence.remove("u");
    other.presence.put("u", "on other");

    app.reconnect();

    assertThat(redis.presenceOf("u")).isEqualTo("on other");
    assertThat(app.events.conflicts).singleElement().satisfies(c -> {
      assertThat(c.key()).isEqualTo(ChangeKey.presence("u"));
      assertThat(c.outageValue()).isEmpty();
      assertThat(c.storeValue()).contains("on other");
    });
  }

  @Test
  void presence_lostReplyOfHeartbeat_isOurs() {
    Instance app = instance();
    app.presence.put("u", "0");
    app.flakyPresence.loseNextReply();

    app.presence.put("u", "1");
    app.presence.put("u", "2");
    app.reconnect();

    assertThat(redis.presenceOf("u")).isEqualTo("2");
    assertThat(app.events.conflicts).isEmpty();
  }

  // ---- listeners ----

  @Test
  void listener_throws_callerUnaffectedAndOtherListenersStillCalled() {
    Instance app = instance();
    app.failover.addListener(new FailoverListener() {
      @Override
      public void onTransition(TransitionEvent event) {
        throw new IllegalStateException("listener bug");
      }
    });
    RecordingListener late = new RecordingListener();
    app.failover.addListener(late);
    app.cutOff();

    app.canvas.put("p", "a", "1");
    app.reconnect();

    assertThat(late.states()).containsExactly(FAILED_OVER, RECOVERING, HEALTHY);
    assertThat(redis.object("p", "a")).isEqualTo("1");
  }

  @Test
  void listener_removed_hearsNothingMore() {
    Instance app = instance();
    RecordingListener l = new RecordingListener();
    app.failover.addListener(l);
    app.failover.removeListener(l);

    app.cutOff();
    app.canvas.get("p", "a");

    assertThat(l.transitions).isEmpty();
  }

  // ---- closing ----

  @Test
  void close_duringOutageWithPrimaryStillDown_reportsUnwrittenChangesAsDropped() {
    Instance app = redis.instance();
    app.cutOff();
    app.canvas.put("p", "a", "1");
    app.presence.put("u", "here");

    app.close();

    assertThat(app.failover.state()).isEqualTo(CLOSED);
    assertThat(app.events.dropped).extracting(DroppedEvent::reason)
        .containsOnly(DroppedEvent.Reason.CLOSED).hasSize(2);
    assertThat(app.failover.stats().dropped()).isEqualTo(2);
    assertThatThrownBy(() -> app.canvas.get("p", "a"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void close_duringOutageWithPrimaryBack_writesBackFirst() {
    Instance app = redis.instance();
    app.cutOff();
    app.canvas.put("p", "a", "1");
    app.faults.recover();

    app.close();

    assertThat(redis.object("p", "a")).isEqualTo("1");
    assertThat(app.events.dropped).isEmpty();
    assertThat(app.events.states()).endsWith(HEALTHY, CLOSED);
  }

  @Test
  void close_oneView_onlyThatViewStops() {
    Instance app = instance();
    FailoverCanvasStore<String> view = app.failover.canvas(io.canvasstate.Codec.string());

    view.close();

    assertThatThrownBy(() -> view.get("p", "a")).isInstanceOf(IllegalStateException.class);
    app.canvas.put("p", "a", "1");
    assertThat(app.canvas.get("p", "a")).contains("1");
  }

  @Test
  void builder_withoutStores_throws() {
    assertThatThrownBy(() -> FailoverStore.builder().build())
        .isInstanceOf(IllegalStateException.class);
  }
}
