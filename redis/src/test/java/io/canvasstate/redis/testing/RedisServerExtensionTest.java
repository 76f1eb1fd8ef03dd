package io.canvasstate.redis.testing;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisConnectionException;

class RedisServerExtensionTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.controllable();

  @Test
  void server_started_answersOnLoopbackWithoutPersistence() {
    assertThat(redis.jedis().ping()).isEqualTo("PONG");
    assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
    assertThat(redis.jedis().configGet("save")).containsEntry("save", "");
    assertThat(redis.jedis().configGet("appendonly")).containsEntry("appendonly", "no");
    assertThat(redis.jedis().configGet("bind").get("bind")).isEqualTo("127.0.0.1");
  }

  @Test
  void parameter_redisServer_isTheClassServer(RedisServer server) {
    assertThat(server).isSameAs(redis.server());
  }

  @Test
  void configBuilder_eachCall_hasFreshKeyPrefix() {
    String first = redis.configBuilder().build().keySchema().prefix();
    String second = redis.configBuilder().build().keySchema().prefix();

    assertThat(first).startsWith("t").endsWith(":").isNotEqualTo(second);
    assertThat(redis.configBuilder().build().redisUrl()).hasValueSatisfying(
        url -> assertThat(url.getPort()).isEqualTo(redis.port()));
  }

  @Test
  void killThenRestart_sameServer_answersAgainOnSamePort() {
    int port = redis.port();
    redis.jedis().set("harness:kill", "x");

    redis.kill();
    assertThatThrownBy(() -> redis.connect().ping()).isInstanceOf(JedisConnectionException.class);

    redis.restart();
    assertThat(redis.port()).isEqualTo(port);
    assertThat(redis.jedis().ping()).isEqualTo("PONG");
    // No append-only file by default: what was written before the kill is gone.
    assertThat(redis.jedis().get("harness:kill")).isNull();
  }

  @Test
  void pause_runningServer_answersNothingUntilResumed() throws Exception {
    try (Jedis other = redis.connect()) {
      redis.pause();
      CompletableFuture<String> ping;
      try {
        ping = CompletableFuture.supplyAsync(other::ping);
        assertThatThrownBy(() -> ping.get(300, MILLISECONDS))
            .isInstanceOf(TimeoutException.class);
      } finally {
        redis.resume();
      }
      assertThat(ping.get(5, SECONDS)).isEqualTo("PONG");
    }
  }

  @Test
  void appendFsyncAlways_killed_keepsAcknowledgedWrites() {
    try (RedisProcess server = RedisProcess.start(RedisProcess.Options.DEFAULT.withAppendFsyncAlways())) {
      server.jedis().set("harness:aof", "kept");

      server.kill();
      assertThat(server.isAlive()).isFalse();
      server.restart();

      assertThat(server.jedis().get("harness:aof")).isEqualTo("kept");
    }
  }

  @Test
  void stop_startedProcess_endsItAndDeletesItsDirectory() {
    RedisProcess server = RedisProcess.start();
    long pid = server.pid();

    server.stop();

    assertThat(server.isAlive()).isFalse();
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(server.dir()).doesNotExist();
  }

  @Test
  void roundTripCounter_pipelineAndSeparateCommands_countsRoundTrips() {
    try (RoundTripCounter counter = RoundTripCounter.start(redis);
        Jedis viaProxy = new Jedis(URI.create(counter.url()), SharedJedis.config())) {
      viaProxy.ping();
      counter.reset();

      try (Pipeline p = viaProxy.pipelined()) {
        p.set("harness:rt1", "a");
        p.set("harness:rt2", "b");
        p.get("harness:rt1");
        p.sync();
      }
      assertThat(counter.roundTrips()).isEqualTo(1);

      viaProxy.get("harness:rt1");
      viaProxy.get("harness:rt2");
      assertThat(counter.roundTrips()).isEqualTo(3);
    }
  }

  @Test
  void roundTripCounter_closed_dropsProxiedConnections() {
    RoundTripCounter counter = RoundTripCounter.start(redis);
    try (Jedis viaProxy = new Jedis(URI.create(counter.url()), SharedJedis.config())) {
      assertThat(viaProxy.ping()).isEqualTo("PONG");

      counter.close();

      await().atMost(5, SECONDS).untilAsserted(() ->
          assertThatThrownBy(viaProxy::ping).isInstanceOf(JedisConnectionException.class));
    }
  }
}
