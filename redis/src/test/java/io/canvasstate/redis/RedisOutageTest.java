package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.redis.RedisCanvasStoreTest.Shape;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server that stops answering or dies: unavailable within the timeout, back when it is. */
class RedisOutageTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.controllable();

  static final Shape RECT = new Shape("rect", 1, 2);
  static final Duration TIMEOUT = Duration.ofMillis(300);

  private StoreConfig config() {
    return redis.configBuilder().connectTimeout(TIMEOUT).timeout(TIMEOUT).build();
  }

  @Test
  void pausedServer_operationsFailAsUnavailableWithinTheTimeoutThenRecover() {
    try (RedisStores stores = RedisStores.create(config())) {
      RedisCanvasStore<Shape> canvas = stores.redisCanvas(JacksonCodec.of(Shape.class));
      canvas.put("p1", "o1", RECT);

      redis.pause();
      try {
        long start = System.nanoTime();
        assertThatThrownBy(() -> canvas.get("p1", "o1"))
            .isInstanceOf(StoreUnavailableException.class)
            .hasMessageContaining("timed out");
        assertThatThrownBy(stores::ping).isInstanceOf(StoreUnavailableException.class);
        // Two timed-out calls: generous bounds, the machine is shared.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      } finally {
        redis.resume();
      }

      assertThat(canvas.get("p1", "o1")).contains(RECT);
    }
  }

  @Test
  void killedServer_operationsFailAsUnavailableAndWorkAgainAfterRestart() {
    try (RedisStores stores = RedisStores.create(config())) {
      RedisCanvasStore<Shape> canvas = stores.redisCanvas(JacksonCodec.of(Shape.class));
      RedisPresenceStore<Shape> presence = stores.redisPresence(JacksonCodec.of(Shape.class));
      canvas.put("p1", "o1", RECT);

      redis.kill();
      assertThatThrownBy(() -> canvas.put("p1", "o2", RECT))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> presence.put("alice", RECT))
          .isInstanceOf(StoreUnavailableException.class);

      redis.restart(); // empty: no persistence, and the scripts are gone too
      canvas.put("p1", "o2", RECT);
      presence.put("alice", RECT);

      assertThat(canvas.getAll("p1")).containsOnlyKeys("o2");
      assertThat(canvas.activeProjects()).containsExactly("p1");
      assertThat(presence.get("alice")).contains(RECT);
    }
  }
}
