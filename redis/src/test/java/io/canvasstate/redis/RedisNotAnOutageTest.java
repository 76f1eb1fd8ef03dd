package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisBusyException;

/**
 * What is not an outage, against a real server: calls that find every pooled connection busy
 * while Redis answers (the test holds the only connection of a pool of one), and calls Redis
 * refuses for now ({@code BUSY} while another client's script runs). The failover-wrapped
 * stores wait these out inside the call and never switch to memory for them.
 */
class RedisNotAnOutageTest {
  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.controllable().withArgs("--lua-time-limit", "50");

  static final Duration TIMEOUT = Duration.ofMillis(200);

  private static StoreConfig config(Duration retryFor) {
    return redis.configBuilder().poolSize(1).timeout(TIMEOUT).maxRetryDuration(retryFor).build();
  }

  private static Connection holdTheOnlyConnection(RedisStores stores) {
    return ((RedisClient) stores.backend().client()).getPool().getResource();
  }

  @Test
  void put_poolBusyLongerThanTimeout_waitsForTheConnectionAndNeverFailsOver() {
    StoreConfig config = config(Duration.ofSeconds(10));
    try (RedisStores stores = RedisStores.create(config)) {
      FailoverStore failover = stores.failover().orElseThrow();
      CanvasStore<String> canvas = stores.canvas(Codec.string());
      canvas.put("p", "warm", "{}");
      CompletableFuture<Void> put;
      Connection held = holdTheOnlyConnection(stores);
      try {
        put = CompletableFuture.runAsync(() -> canvas.put("p", "o", "{\"n\":1}"));
        await().during(TIMEOUT.multipliedBy(3)).atMost(Duration.ofSeconds(5))
            .until(() -> !put.isDone());
      } finally {
        held.close();
      }
      put.join();
      assertThat(failover.stats().failovers()).isZero();
      assertThat(failover.state()).isEqualTo(FailoverState.HEALTHY);
      assertThat(redis.jedis().hget(config.keySchema().objectsKey("p"), "o"))
          .isEqualTo("{\"n\":1}");
    }
  }

  @Test
  void put_poolBusyLongerThanRetryDuration_throwsStoreExceptionNamingThePoolNotUnavailable() {
    StoreConfig config = config(Duration.ofMillis(500));
    try (RedisStores stores = RedisStores.create(config)) {
      FailoverStore failover = stores.failover().orElseThrow();
      CanvasStore<String> canvas = stores.canvas(Codec.string());
      canvas.put("p", "warm", "{}");
      Connection held = holdTheOnlyConnection(stores);
      try {
        assertThatThrownBy(() -> canvas.put("p", "o", "{\"n\":1}"))
            .isInstanceOf(StoreException.class)
            .isNotInstanceOf(StoreUnavailableException.class)
            .hasMessageContaining("no free pooled connection")
            .hasMessageContaining("REDIS_POOL_SIZE is 1");
      } finally {
        held.close();
      }
      assertThat(failover.stats().failovers()).isZero();
      canvas.put("p", "o", "{\"n\":2}");
      assertThat(redis.jedis().hget(config.keySchema().objectsKey("p"), "o"))
          .isEqualTo("{\"n\":2}");
    }
  }

  @Test
  void put_anotherClientsScriptKeepsRedisBusy_waitsItOutAndNeverFailsOver() throws Exception {
    StoreConfig config = config(Duration.ofSeconds(10));
    try (RedisStores stores = RedisStores.create(config)) {
      FailoverStore failover = stores.failover().orElseThrow();
      CanvasStore<String> canvas = stores.canvas(Codec.string());
      canvas.put("p", "warm", "{}");
      CompletableFuture<Object> busy;
      try (Jedis other = redis.connect()) {
        // A script that loops for 1.5 s by Redis' clock: past lua-time-limit, Redis answers
        // every other client BUSY until it ends.
        busy = CompletableFuture.supplyAsync(() -> other.eval(
            "local t = redis.call('TIME') local start = t[1] * 1000 + t[2] / 1000"
                + " local now = start"
                + " while now - start < 1500 do t = redis.call('TIME')"
                + " now = t[1] * 1000 + t[2] / 1000 end return 1"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
            .ignoreExceptions().until(RedisNotAnOutageTest::answersBusy);
        canvas.put("p", "o", "{\"n\":1}");
        assertThat(busy).as("the put waited for the script").isDone();
        busy.get();
      }
      assertThat(failover.stats().failovers()).isZero();
      assertThat(redis.jedis().hget(config.keySchema().objectsKey("p"), "o"))
          .isEqualTo("{\"n\":1}");
    }
  }

  private static boolean answersBusy() {
    try (Jedis probe = redis.connect()) {
      probe.ping();
      return false;
    } catch (JedisBusyException e) {
      return true;
    }
  }
}
