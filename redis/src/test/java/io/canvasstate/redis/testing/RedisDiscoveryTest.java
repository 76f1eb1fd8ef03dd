package io.canvasstate.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.TestAbortedException;

/** Which server the harness picks, and what it does when there is none. */
class RedisDiscoveryTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  @Test
  void discover_redisUrlSet_usesThatServerWithoutControllingIt() {
    try (RedisServer server = RedisServerExtension.discover(false, RedisProcess.Options.DEFAULT,
        redis.url())) {
      assertThat(server).isInstanceOf(ExternalRedisServer.class);
      assertThat(server.port()).isEqualTo(redis.port());
      assertThat(server.jedis().ping()).isEqualTo("PONG");
      assertThat(server.isControllable()).isFalse();
      assertThatThrownBy(server::kill)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("RedisServerExtension.controllable()");
    }
    assertThat(redis.jedis().ping()).as("stopping an external server leaves it running").isEqualTo("PONG");
  }

  @Test
  void discover_controllableWhileRedisUrlSet_startsItsOwnProcess() {
    try (RedisServer server = RedisServerExtension.discover(true, RedisProcess.Options.DEFAULT,
        redis.url())) {
      assertThat(server).isInstanceOf(RedisProcess.class);
      assertThat(server.port()).isNotEqualTo(redis.port());
      assertThat(server.isControllable()).isTrue();
    }
  }

  @Test
  void discover_noRedisUrlAndABinaryOnPath_startsAProcess() {
    assertThat(RedisProcess.findBinary()).isPresent();
    try (RedisServer server = RedisServerExtension.discover(false, RedisProcess.Options.DEFAULT,
        null)) {
      assertThat(server).isInstanceOf(RedisProcess.class);
      assertThat(server.jedis().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void missing_onCi_failsAndElsewhereSkipsWithTheSameMessage() {
    assertThat(RedisProcess.missing(RedisProcess.NOT_FOUND, "true"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apt-get install redis-server")
        .hasMessageContaining("REDIS_URL");
    assertThat(RedisProcess.missing(RedisProcess.NOT_FOUND, null))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("apt-get install redis-server");
    assertThat(RedisProcess.missing(RedisProcess.NOT_FOUND, "false"))
        .isInstanceOf(TestAbortedException.class);
  }
}
