package io.canvasstate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.inmemory.InMemoryCanvasRepository;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.RedisServerExtension;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CanvasStateMetricsTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.controllable();

  private static final String PROJECT = "project-7f3a";
  private static final String OBJECT = "object-91c2";
  private static final String USER = "user-55d0";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private RedisStores stores;

  private RedisStores stores() {
    StoreConfig config = redis.configBuilder().build();
    stores = RedisStores.create(config,
        FailoverConfig.builder().probeInterval(Duration.ofMillis(50)).build());
    return stores;
  }

  @AfterEach
  void closeStores() {
    if (stores != null) {
      stores.close();
    }
    try {
      redis.jedis().ping();
    } catch (RuntimeException e) {
      redis.restart();
    }
  }

  @Test
  void canvas_getAndPut_timedPerOperationWithPoolGauges() {
    RedisStores s = stores();
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().redis(s).build();
    metrics.bindTo(registry);
    CanvasStore<String> canvas = metrics.canvas("shapes", s.canvas(Codec.string()));

    canvas.put(PROJECT, OBJECT, "{\"x\":1}");
    assertThat(canvas.get(PROJECT, OBJECT)).contains("{\"x\":1}");
    canvas.get(PROJECT, OBJECT);

    assertThat(registry.get("canvasstate.operations")
        .tags("store", "canvas", "name", "shapes", "operation", "put", "outcome", "success")
        .timer().count()).isEqualTo(1);
    assertThat(registry.get("canvasstate.operations")
        .tags("store", "canvas", "operation", "get", "outcome", "success")
        .timer().count()).isEqualTo(2);
    assertThat(registry.get("canvasstate.operations").tags("operation", "get", "outcome", "success")
        .timer()
        .totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(registry.get("canvasstate.redis.pool.max").gauge().value()).isEqualTo(16);
    assertThat(registry.get("canvasstate.redis.pool.connections").tag("state", "idle").gauge()
        .value()).isGreaterThanOrEqualTo(1);
    assertThat(registry.get("canvasstate.failover.state").tag("state", "healthy").gauge()
        .value()).isEqualTo(1);
    assertNoIdInTags();
  }

  @Test
  void canvas_invalidId_countedAsInvalidArgumentAndRethrown() {
    RedisStores s = stores();
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().build();
    metrics.bindTo(registry);
    CanvasStore<String> canvas = metrics.canvas("shapes", s.canvas(Codec.string()));

    assertThatThrownBy(() -> canvas.put(PROJECT, "a}b", "{}"))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(registry.get("canvasstate.errors")
        .tags("operation", "put", "kind", "invalid_argument").counter().count()).isEqualTo(1);
    assertThat(registry.get("canvasstate.operations").tags("operation", "put", "outcome", "error")
        .timer().count()).isEqualTo(1);
  }

  @Test
  void bareRedisStore_serverKilled_countedAsUnavailable() {
    RedisStores s = stores();
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().build();
    metrics.bindTo(registry);
    CanvasStore<String> canvas = metrics.canvas("bare", s.redisCanvas(Codec.string()));
    redis.kill();

    assertThatThrownBy(() -> canvas.get(PROJECT, OBJECT))
        .isInstanceOf(io.canvasstate.StoreUnavailableException.class);

    assertThat(registry.get("canvasstate.errors").tags("operation", "get", "kind", "unavailable")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void failover_serverKilledAndRestarted_stateGaugeAndTransitionsFollow() {
    RedisStores s = stores();
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().redis(s).build();
    metrics.bindTo(registry);
    CanvasStore<String> canvas = metrics.canvas("shapes", s.canvas(Codec.string()));
    assertThat(canvas.count(PROJECT)).isZero();

    redis.kill();
    canvas.put(PROJECT, OBJECT, "{\"x\":2}");
    assertThat(registry.get("canvasstate.failover.state").tag("state", "failed_over").gauge()
        .value()).isEqualTo(1);
    assertThat(registry.get("canvasstate.failover.state").tag("state", "healthy").gauge()
        .value()).isZero();
    assertThat(registry.get("canvasstate.failover.pending").gauge().value()).isEqualTo(1);
    assertThat(registry.get("canvasstate.failover.failovers").functionCounter().count())
        .isEqualTo(1);

    redis.restart();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        registry.get("canvasstate.failover.state").tag("state", "healthy").gauge().value())
        .isEqualTo(1));
    assertThat(registry.get("canvasstate.failover.written.back").functionCounter().count())
        .as(s.failover().orElseThrow().stats().toString()).isEqualTo(1);
    assertThat(registry.get("canvasstate.failover.conflicts").functionCounter().count()).isZero();
    assertThat(registry.get("canvasstate.failover.transitions")
        .tags("from", "healthy", "to", "failed_over", "reason", "primary_unavailable")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get("canvasstate.failover.transitions")
        .tags("from", "recovering", "to", "healthy").counter().count()).isEqualTo(1);
    assertNoIdInTags();
  }

  @Test
  void subscribe_eventsDelivered_countedByTypeAndListenerTimed() {
    RedisStores s = stores();
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().build();
    metrics.bindTo(registry);
    CanvasStore<String> canvas = metrics.canvas("shapes", s.canvas(Codec.string()));
    PresenceStore<String> presence = metrics.presence("cursors", s.presence(Codec.string()));
    List<Object> seen = new CopyOnWriteArrayList<>();
    canvas.subscribe(PROJECT, seen::add);
    presence.subscribe(seen::add);

    canvas.put(PROJECT, OBJECT, "{}");
    canvas.remove(PROJECT, OBJECT);
    presence.put(USER, "{\"x\":3}");

    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(registry.get("canvasstate.events.delivered").tags("store", "canvas", "type", "put")
          .counter().count()).isEqualTo(1);
      assertThat(registry.get("canvasstate.events.delivered")
          .tags("store", "canvas", "type", "removed").counter().count()).isEqualTo(1);
      assertThat(registry.get("canvasstate.events.delivered")
          .tags("store", "presence", "type", "joined").counter().count()).isEqualTo(1);
      assertThat(registry.get("canvasstate.events.listener.duration").tag("store", "canvas")
          .timer().count()).isEqualTo(2);
      // The put's own event came back: one delivery lag, from the start of the put.
      assertThat(registry.get("canvasstate.events.delivery.lag").tag("store", "canvas")
          .timer().count()).isEqualTo(1);
      assertThat(registry.get("canvasstate.events.delivery.lag").tag("store", "canvas")
          .timer().totalTime(TimeUnit.NANOSECONDS)).isPositive();
    });
    assertThat(registry.get("canvasstate.operations")
        .tags("store", "presence", "name", "cursors", "operation", "put", "outcome", "success")
        .timer().count())
        .isEqualTo(1);
    assertNoIdInTags();
  }

  @Test
  void persistence_savedByWorker_countersTimerAndBacklog() {
    RedisStores s = stores();
    Persistence<String> persistence =
        Persistence.builder(InMemoryCanvasRepository.create(Codec.string())).build();
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().persistence("shapes", persistence)
        .percentileHistograms(true).tags(Tags.of(Tag.of("app", "test"))).build();
    metrics.bindTo(registry);
    CanvasStore<String> canvas = s.canvas(Codec.string(), persistence);

    canvas.put(PROJECT, OBJECT, "{}");
    persistence.worker().runOnce();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(registry.get("canvasstate.persistence.saves").tag("app", "test")
          .functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("canvasstate.persistence.saved.objects").functionCounter()
          .count()).isEqualTo(1);
      assertThat(registry.get("canvasstate.persistence.backlog").gauge().value()).isZero();
      assertThat(registry.get("canvasstate.persistence.lag").timeGauge()
          .value(TimeUnit.MILLISECONDS)).isZero();
    });
    assertThat(registry.get("canvasstate.persistence.save.duration").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("canvasstate.persistence.save.failures").functionCounter().count())
        .isZero();
    assertNoIdInTags();
  }

  @Test
  void bindTo_afterWrapping_laterCallsReachEveryBoundRegistry() {
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().build();
    CanvasStore<String> canvas =
        metrics.canvas("shapes", InMemoryCanvasStore.create(Codec.string()));
    canvas.put(PROJECT, OBJECT, "{}");      // before any registry: not recorded anywhere
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    canvas.put(PROJECT, OBJECT, "{}");
    metrics.bindTo(second);
    metrics.bindTo(second);                 // binding twice changes nothing
    canvas.put(PROJECT, OBJECT, "{}");

    assertThat(registry.get("canvasstate.operations")
        .tags("operation", "put", "outcome", "success").timer().count())
        .isEqualTo(2);
    assertThat(second.get("canvasstate.operations")
        .tags("operation", "put", "outcome", "success").timer().count())
        .isEqualTo(1);
  }

  @Test
  void canvas_blankName_rejectedNamingIt() {
    CanvasStateMetrics metrics = CanvasStateMetrics.builder().build();
    assertThatThrownBy(() -> metrics.canvas(" ", stores().canvas(Codec.string())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
  }

  /** Ids never become tags: no tag value holds the project, object or user id used here. */
  private void assertNoIdInTags() {
    assertThat(registry.getMeters()).isNotEmpty();
    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        assertThat(tag.getValue()).as(meter.getId().toString())
            .doesNotContain(PROJECT, OBJECT, USER);
      }
    }
  }
}
