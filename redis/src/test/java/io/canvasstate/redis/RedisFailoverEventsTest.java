package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.ResyncReason;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.EventRecorder;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Events of the default, failover-wrapped stores of {@link RedisStores} through a real Redis
 * outage: they keep flowing within the instance while Redis is dead, and listeners are told to
 * resync once the stores are back on Redis.
 */
class RedisFailoverEventsTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.controllable();

  @Test
  void outage_eventsFlowFromMemory_thenResyncWhenBackOnRedis_andNoThreadOutlivesTheStores() {
    java.util.Set<Long> threadsBefore = Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getId).collect(java.util.stream.Collectors.toSet());
    StoreConfig config = redis.configBuilder()
        .connectTimeout(Duration.ofMillis(500)).timeout(Duration.ofMillis(500)).build();
    try (RedisStores stores = RedisStores.create(config)) {
      CanvasStore<String> canvas = stores.canvas(Codec.string());
      EventRecorder<CanvasEvent<String>> events = new EventRecorder<>();
      canvas.subscribe("p", events::add);
      canvas.put("p", "before", "{}");
      events.awaitCount(1);

      redis.kill();
      canvas.put("p", "during", "{}");

      assertThat(stores.failover().orElseThrow().state()).isEqualTo(FailoverState.FAILED_OVER);
      assertThat(events.awaitCount(2).get(1))
          .isEqualTo(new CanvasEvent.Put<>("p", "during", "{}", canvas.instanceId()));

      redis.restart();
      events.awaitMatch(e -> e.equals(new CanvasEvent.Resync<>("p", ResyncReason.FAILOVER)));
      await().atMost(EventRecorder.TIMEOUT)
          .until(() -> stores.failover().orElseThrow().state() == FailoverState.HEALTHY);
      assertThat(canvas.get("p", "during")).contains("{}");
      canvas.put("p", "after", "{}");
      events.awaitMatch(e -> e instanceof CanvasEvent.Put<String> put
          && put.objectId().equals("after"));
    }

    await().atMost(EventRecorder.TIMEOUT).untilAsserted(() ->
        assertThat(Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && !threadsBefore.contains(t.getId()))
            .map(Thread::getName)
            .filter(n -> !n.startsWith("awaitility")))
            .isEmpty());
  }
}
