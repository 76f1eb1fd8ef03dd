package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.failover.FailoverCanvasStore;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.inmemory.InMemoryCanvasRepository;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Persistence behind the failover decorator, on a real {@code redis-server} the test kills and
 * restarts (with an append-only file, so it comes back with its data): the changes made while
 * Redis was down are written back when it returns, recorded as unsaved by that write-back, and
 * saved by the worker.
 */
class FailoverRedisPersistenceTest {
  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.controllable().withAppendFsyncAlways();

  private static final Duration TIMEOUT = Duration.ofMillis(300);
  private static final Duration RECOVERY = Duration.ofSeconds(20);

  @Test
  void changesDuringAnOutage_areSavedAfterTheWriteBack() {
    StoreConfig config = redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
    InMemoryCanvasRepository<String> durable = InMemoryCanvasRepository.create(Codec.string());
    Persistence<String> persistence = Persistence.builder(durable).build();
    try (RedisStores stores = RedisStores.create(config,
        FailoverConfig.builder().probeInterval(Duration.ofMillis(50)).build())) {
      CanvasStore<String> canvas = stores.canvas(Codec.string(), persistence);
      AutoSaveWorker worker = persistence.worker();
      canvas.putAll("p", Map.of("a", "{\"n\":1}", "b", "{\"n\":1}", "c", "{\"n\":1}"));
      worker.runOnce();
      assertThat(durable.load("p")).hasSize(3);

      redis.kill();
      canvas.put("p", "a", "{\"n\":2}");
      canvas.remove("p", "b");
      canvas.put("p", "d", "{\"n\":2}");
      canvas.putAll("q", Map.of("x", "{\"n\":2}"));
      assertThat(((FailoverCanvasStore<String>) canvas).failover().state())
          .isEqualTo(FailoverState.FAILED_OVER);
      assertThatThrownBy(worker::runOnce).as("the change log is in Redis, which is down")
          .isInstanceOf(StoreUnavailableException.class);
      redis.restart();
      await().atMost(RECOVERY).until(
          () -> ((FailoverCanvasStore<String>) canvas).failover().state() == FailoverState.HEALTHY);

      worker.runOnce();

      assertThat(durable.load("p")).containsOnly(Map.entry("a", "{\"n\":2}"),
          Map.entry("c", "{\"n\":1}"), Map.entry("d", "{\"n\":2}"));
      assertThat(durable.load("q")).containsOnly(Map.entry("x", "{\"n\":2}"));
      assertThat(persistence.stats().lag()).contains(Duration.ZERO);
    }
  }
}
