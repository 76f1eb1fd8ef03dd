package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.EventRecorder;
import io.canvasstate.contract.RecordingListener;
import io.canvasstate.failover.ChangeKey;
import io.canvasstate.failover.ConflictEvent;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deletes during an outage by an instance that never read the objects: instance A creates
 * them, instance B only hears of them through change events (as a canvas server forwarding
 * events to its clients does), then the real {@code redis-server} is killed, B deletes, and
 * the server restarts with its data (AOF). B's deletes reach Redis: those of objects it heard
 * of by the ordinary rule, and one of an object it never heard of as a blind delete, whose
 * removed value its listener hears.
 */
class FailoverRedisHeardObjectsTest {
  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.controllable().withAppendFsyncAlways();

  static final Duration TIMEOUT = Duration.ofMillis(300);
  static final FailoverConfig FAST_PROBES =
      FailoverConfig.builder().probeInterval(Duration.ofMillis(50)).build();

  private static String json(String name, int n) {
    return FailoverRedisOutageTest.json(name, n);
  }

  @Test
  void remove_duringOutageOfObjectsOnlyHeardOf_deletesReachRedisAfterRecovery() {
    StoreConfig config = redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
    RecordingListener bFailover = new RecordingListener();
    EventRecorder<CanvasEvent<String>> bHeard = new EventRecorder<>();
    try (RedisStores a = RedisStores.create(config, FAST_PROBES);
        RedisStores b = RedisStores.create(config, FAST_PROBES)) {
      CanvasStore<String> aCanvas = a.canvas(Codec.string());
      CanvasStore<String> bCanvas = b.canvas(Codec.string());
      FailoverStore bStore = b.failover().orElseThrow();
      bStore.addListener(bFailover);
      aCanvas.put("p", "unheard", json("unheard", 1));
      bCanvas.subscribe("p", bHeard::add);
      aCanvas.putAll("p", Map.of("o1", json("o1", 1), "o2", json("o2", 1)));
      aCanvas.put("p", "o3", json("o3", 1));
      aCanvas.put("p", "o3", json("o3", 2));
      bHeard.awaitMatch(e -> e instanceof CanvasEvent.Put<String> put
          && put.objectId().equals("o3") && put.value().equals(json("o3", 2)));

      redis.kill();
      assertThat(bCanvas.remove("p", "o1")).as("an object B heard of").isTrue();
      assertThat(bCanvas.getAndRemove("p", "o3")).contains(json("o3", 2));
      assertThat(bCanvas.remove("p", "unheard"))
          .as("B cannot tell whether an object it never heard of exists").isFalse();
      assertThat(bStore.state()).isEqualTo(FailoverState.FAILED_OVER);
      assertThat(bStore.stats().pending()).isEqualTo(3);

      redis.restart();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> bStore.state() == FailoverState.HEALTHY);

      assertThat(redis.jedis().hgetAll(config.keySchema().objectsKey("p")))
          .containsOnly(Map.entry("o2", json("o2", 1)));
      assertThat(bFailover.conflicts).singleElement().satisfies(c -> {
        assertThat(c.key()).isEqualTo(ChangeKey.canvas("p", "unheard"));
        assertThat(c.reason()).isEqualTo(ConflictEvent.Reason.DELETED_UNSEEN_VALUE);
        assertThat(c.outageValue()).isEqualTo(Optional.empty());
        assertThat(c.storeValue()).contains(json("unheard", 1));
      });
      assertThat(bStore.stats().writtenBack()).isEqualTo(3);
    }
  }
}
