package io.canvasstate.inmemory.failover;

import static io.canvasstate.failover.FailoverState.FAILED_OVER;
import static io.canvasstate.failover.FailoverState.HEALTHY;
import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.CanvasEvent;
import io.canvasstate.Codec;
import io.canvasstate.PresenceEvent;
import io.canvasstate.ResyncReason;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasEventsContract;
import io.canvasstate.contract.EventRecorder;
import io.canvasstate.contract.PresenceEventsContract;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.inmemory.FaultInjectingCanvasStore;
import io.canvasstate.inmemory.FaultInjectingPresenceStore;
import io.canvasstate.inmemory.Faults;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.inmemory.InMemoryPresenceStore;
import io.canvasstate.inmemory.ManualClock;
import io.canvasstate.inmemory.failover.Harness.Instance;
import io.canvasstate.inmemory.failover.Harness.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Change events through the failover decorator: the event contract while healthy and while
 * failed over, events that keep flowing within the instance during an outage, silence while the
 * fallback is seeded and emptied, and the resync when the store switches back.
 */
class FailoverEventsTest {
  private static final Duration PRESENCE_TTL = Duration.ofSeconds(30);

  /** A failover store over in-memory stores, healthy or failed over from the start. */
  private static final class Stores {
    final ManualClock clock = ManualClock.create();
    final Faults faults = Faults.create();
    final FailoverStore failover;

    Stores(boolean failedOver) {
      TtlPolicy ttl = TtlPolicy.DEFAULT.withPresenceTtl(PRESENCE_TTL);
      if (failedOver) {
        faults.fail();
      }
      failover = FailoverStore.builder()
          .canvas(new FaultInjectingCanvasStore<>(
                  InMemoryCanvasStore.builder(Codec.bytes()).clock(clock).build(), faults),
              InMemoryCanvasStore.builder(Codec.bytes()).clock(clock).build())
          .presence(new FaultInjectingPresenceStore<>(InMemoryPresenceStore.builder(Codec.bytes())
                  .clock(clock).ttl(ttl).sweepInterval(Duration.ofMillis(20)).build(), faults),
              InMemoryPresenceStore.builder(Codec.bytes()).clock(clock).ttl(ttl)
                  .sweepInterval(Duration.ofMillis(20)).build())
          .clock(clock).ttl(ttl).backgroundProbe(false)
          .config(FailoverConfig.builder().recoveryThreshold(1).build())
          .build();
      assertThat(failover.state()).isEqualTo(failedOver ? FAILED_OVER : HEALTHY);
    }
  }

  @Nested
  class HealthyCanvas extends CanvasEventsContract {
    @Override
    protected Stores createStores() {
      var s = new FailoverEventsTest.Stores(false);
      var view = s.failover.canvas(Codec.string());
      return new Stores(view, view);
    }
  }

  @Nested
  class FailedOverCanvas extends CanvasEventsContract {
    private FailoverStore failover;

    @Override
    protected Stores createStores() {
      var s = new FailoverEventsTest.Stores(true);
      failover = s.failover;
      var view = s.failover.canvas(Codec.string());
      return new Stores(view, view);
    }

    @Override
    protected void closeStores(Stores stores) {
      assertThat(failover.state()).isEqualTo(FAILED_OVER);
      super.closeStores(stores);
      failover.close();
    }
  }

  @Nested
  class HealthyPresence extends PresenceEventsContract {
    private ManualClock clock;

    @Override
    protected Stores createStores() {
      var s = new FailoverEventsTest.Stores(false);
      clock = s.clock;
      var view = s.failover.presence(Codec.string());
      return new Stores(view, view);
    }

    @Override
    protected void letPresenceExpire() {
      clock.advance(PRESENCE_TTL.plusMillis(1));
    }
  }

  @Nested
  class FailedOverPresence extends PresenceEventsContract {
    private ManualClock clock;
    private FailoverStore failover;

    @Override
    protected Stores createStores() {
      var s = new FailoverEventsTest.Stores(true);
      clock = s.clock;
      failover = s.failover;
      var view = s.failover.presence(Codec.string());
      return new Stores(view, view);
    }

    @Override
    protected void letPresenceExpire() {
      clock.advance(PRESENCE_TTL.plusMillis(1));
    }

    @Override
    protected void closeStores(Stores stores) {
      assertThat(failover.state()).isEqualTo(FAILED_OVER);
      super.closeStores(stores);
      failover.close();
    }
  }

  // ---- switching, on the shared-Redis harness ----

  private final Redis redis = new Redis();
  private final List<Instance> instances = new ArrayList<>();

  private Instance instance() {
    Instance i = redis.instance();
    instances.add(i);
    return i;
  }

  @AfterEach
  void closeInstances() {
    instances.forEach(Instance::close);
  }

  @Test
  void outage_eventsKeepFlowingWithinTheInstance() {
    Instance app = instance();
    EventRecorder<CanvasEvent<String>> events = new EventRecorder<>();
    app.canvas.subscribe("p", events::add);
    app.cutOff();

    app.canvas.put("p", "a", "1");
    app.canvas.remove("p", "a");

    assertThat(app.failover.state()).isEqualTo(FAILED_OVER);
    assertThat(events.events()).containsExactly(
        new CanvasEvent.Put<>("p", "a", "1", app.canvas.instanceId()),
        new CanvasEvent.Removed<>("p", "a", app.canvas.instanceId()));
  }

  @Test
  void switchBack_deliversTheWriteBackThenAResync_andSeedingAndEmptyingAreSilent() {
    Instance app = instance();
    app.canvas.putAll("p", java.util.Map.of("x", "0", "y", "0"));
    app.canvas.getAll("p");
    EventRecorder<CanvasEvent<String>> events = new EventRecorder<>();
    app.canvas.subscribe("p", events::add);
    app.cutOff();
    assertThat(app.canvas.getAll("p")).hasSize(2); // fails over, seeding the fallback
    assertThat(events.events()).isEmpty();

    app.canvas.put("p", "x", "1");
    assertThat(app.reconnect()).isEqualTo(HEALTHY);

    assertThat(events.events()).containsExactly(
        new CanvasEvent.Put<>("p", "x", "1", app.canvas.instanceId()),
        new CanvasEvent.Put<>("p", "x", "1", app.canvas.instanceId()),
        new CanvasEvent.Resync<>("p", ResyncReason.FAILOVER));
    app.canvas.put("p", "y", "2");
    assertThat(events.events()).last()
        .isEqualTo(new CanvasEvent.Put<>("p", "y", "2", app.canvas.instanceId()));
  }

  @Test
  void switchBack_resyncsPresenceListenersToo() {
    Instance app = instance();
    EventRecorder<PresenceEvent<String>> events = new EventRecorder<>();
    app.presence.subscribe(events::add);
    app.cutOff();
    app.presence.put("ada", "{}");

    app.reconnect();

    assertThat(events.events()).first()
        .isEqualTo(new PresenceEvent.Joined<>("ada", "{}", app.presence.instanceId()));
    assertThat(events.events()).last()
        .isEqualTo(new PresenceEvent.Resync<>(ResyncReason.FAILOVER));
  }

  @Test
  void outageListener_isNotCalledHoldingTheStoresLocks() throws Exception {
    Instance app = instance();
    app.cutOff();
    app.canvas.put("p", "warm-up", "0");
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    app.canvas.subscribe("p", e -> {
      if (e instanceof CanvasEvent.Put<String> put && put.objectId().equals("a")) {
        // Another thread's write needs the locks an outage call holds; were this listener called
        // inside them, the write would wait for the listener and the listener for the write.
        CompletableFuture<Void> other =
            CompletableFuture.runAsync(() -> app.canvas.put("q", "b", "2"));
        try {
          other.get(5, TimeUnit.SECONDS);
          seen.add("other thread wrote");
        } catch (Exception ex) {
          seen.add("other thread blocked: " + ex);
        }
      }
    });

    app.canvas.put("p", "a", "1");

    assertThat(seen).containsExactly("other thread wrote");
  }

  @Test
  void subscriptionOfAClosedView_endsAndStopsRelaying() {
    Instance app = instance();
    EventRecorder<CanvasEvent<String>> events = new EventRecorder<>();
    var view = app.failover.canvas(Codec.string());
    var subscription = view.subscribe("p", events::add);

    view.close();
    app.canvas.put("p", "a", "1");

    assertThat(subscription.isActive()).isFalse();
    assertThat(events.events()).isEmpty();
  }
}
