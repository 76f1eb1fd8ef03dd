package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.RecordingListener;
import io.canvasstate.failover.ChangeKey;
import io.canvasstate.failover.ConflictEvent;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.redis.testing.RedisServerExtension;
import io.canvasstate.redis.testing.RoundTripCounter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two application instances on one real Redis, one of them cut off by a network partition (a
 * proxy that resets its connections) while the other keeps writing to Redis: the conflict rule
 * decides every object both touched, and the cut-off instance's listener hears each conflict
 * with both values.
 */
class FailoverRedisTwoInstancesTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  static final Duration TIMEOUT = Duration.ofMillis(500);
  static final FailoverConfig FAST_PROBES =
      FailoverConfig.builder().probeInterval(Duration.ofMillis(50)).build();

  private static String json(String by, int n) {
    return FailoverRedisOutageTest.json(by, n);
  }

  @Test
  void partition_otherInstanceWritesMeanwhile_conflictsResolvedByTheRuleAndReported() {
    StoreConfig config = redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
    KeySchema keys = config.keySchema();
    RecordingListener appEvents = new RecordingListener();
    RecordingListener otherEvents = new RecordingListener();
    try (RoundTripCounter link = RoundTripCounter.start(redis);
        RedisStores app = RedisStores.create(
            config.toBuilder().redisUrl(link.url()).build(), FAST_PROBES);
        RedisStores other = RedisStores.create(config, FAST_PROBES)) {
      FailoverStore appFailover = app.failover().orElseThrow();
      appFailover.addListener(appEvents);
      other.failover().orElseThrow().addListener(otherEvents);
      CanvasStore<String> appCanvas = app.canvas(Codec.string());
      CanvasStore<String> otherCanvas = other.canvas(Codec.string());
      PresenceStore<String> appPresence = app.presence(Codec.string());
      PresenceStore<String> otherPresence = other.presence(Codec.string());

      appCanvas.putAll("p", Map.of("both", json("start", 0), "mine", json("start", 0),
          "theirs", json("start", 0), "iDelete", json("start", 0),
          "theyDelete", json("start", 0), "untouched", json("start", 0)));
      assertThat(otherCanvas.getAll("p")).hasSize(6);
      appPresence.put("ann", json("app", 0));

      link.cut();
      appCanvas.put("p", "both", json("app", 1));
      appCanvas.put("p", "mine", json("app", 1));
      appCanvas.remove("p", "iDelete");
      appCanvas.put("p", "theyDelete", json("app", 1));
      appCanvas.put("p", "new", json("app", 1));
      appPresence.remove("ann");
      assertThat(appFailover.state()).isEqualTo(FailoverState.FAILED_OVER);

      otherCanvas.put("p", "both", json("other", 1));
      otherCanvas.put("p", "theirs", json("other", 1));
      otherCanvas.put("p", "iDelete", json("other", 1));
      otherCanvas.remove("p", "theyDelete");
      otherPresence.put("ann", json("other", 1));
      assertThat(redis.jedis().hget(keys.objectsKey("p"), "both"))
          .as("the other instance really writes to Redis during the partition")
          .isEqualTo(json("other", 1));

      link.restore();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> appFailover.state() == FailoverState.HEALTHY);

      assertThat(redis.jedis().hgetAll(keys.objectsKey("p"))).containsOnly(
          Map.entry("both", json("other", 1)),
          Map.entry("mine", json("app", 1)),
          Map.entry("theirs", json("other", 1)),
          Map.entry("iDelete", json("other", 1)),
          Map.entry("untouched", json("start", 0)),
          Map.entry("new", json("app", 1)));
      assertThat(redis.jedis().hget(keys.presenceKey(), "ann")).isEqualTo(json("other", 1));

      assertThat(appEvents.conflicts).extracting(ConflictEvent::key).containsExactlyInAnyOrder(
          ChangeKey.canvas("p", "both"), ChangeKey.canvas("p", "iDelete"),
          ChangeKey.canvas("p", "theyDelete"), ChangeKey.presence("ann"));
      assertThat(appEvents.conflicts).filteredOn(c -> c.key().id().equals("both"))
          .singleElement().satisfies(c -> {
            assertThat(c.reason()).isEqualTo(ConflictEvent.Reason.WRITTEN_ELSEWHERE);
            assertThat(c.outageValue()).contains(json("app", 1));
            assertThat(c.storeValue()).contains(json("other", 1));
          });
      assertThat(appEvents.conflicts).filteredOn(c -> c.key().id().equals("iDelete"))
          .singleElement().satisfies(c -> {
            assertThat(c.outageValue()).as("the delete").isEmpty();
            assertThat(c.storeValue()).contains(json("other", 1));
          });
      assertThat(appEvents.conflicts).filteredOn(c -> c.key().id().equals("theyDelete"))
          .singleElement().satisfies(c -> {
            assertThat(c.reason()).isEqualTo(ConflictEvent.Reason.DELETED_ELSEWHERE);
            assertThat(c.outageValue()).contains(json("app", 1));
            assertThat(c.storeValue()).isEqualTo(Optional.empty());
          });
      assertThat(appFailover.stats().conflicts()).isEqualTo(4);
      assertThat(appFailover.stats().writtenBack()).isEqualTo(2);
      assertThat(otherEvents.transitions).as("the other instance never left Redis").isEmpty();
      assertThat(appCanvas.get("p", "both")).contains(json("other", 1));
    }
  }
}
