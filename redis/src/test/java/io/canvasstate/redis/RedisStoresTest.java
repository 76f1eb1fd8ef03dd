package io.canvasstate.redis;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.redis.RedisCanvasStoreTest.Shape;
import io.canvasstate.redis.testing.RedisServer;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** Connecting: credentials, databases, unreachable servers, closing. */
class RedisStoresTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  static final Shape RECT = new Shape("rect", 1, 2);

  @AfterEach
  void clearProperties() {
    System.clearProperty("REDIS_URL");
    System.clearProperty("CANVASSTATE_KEY_PREFIX");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static long canvasConnections(Jedis raw) {
    return Arrays.stream(raw.clientList().split("\n"))
        .filter(line -> line.contains(" name=canvasstate ")).count();
  }

  @Test
  void create_serverDown_succeedsAndOperationsFailAsUnavailable() throws IOException {
    StoreConfig config = StoreConfig.builder()
        .redisUrl("redis://127.0.0.1:" + closedPort())
        .connectTimeout(Duration.ofMillis(500))
        .timeout(Duration.ofMillis(500))
        .build();

    try (RedisStores stores = RedisStores.create(config)) {
      RedisCanvasStore<Shape> canvas = stores.redisCanvas(JacksonCodec.of(Shape.class));

      assertThatThrownBy(() -> canvas.put("p1", "o1", RECT))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("put on \"canvas:{p1}:objects\"");
      assertThatThrownBy(stores::ping).isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> stores.redisPresence(JacksonCodec.of(Shape.class)).getAll())
          .isInstanceOf(StoreUnavailableException.class);
    }
  }

  @Test
  void ping_serverUp_answers() {
    try (RedisStores stores = RedisStores.create(redis.configBuilder().build())) {
      stores.ping();

      assertThat(canvasConnections(redis.jedis())).isEqualTo(1);
    }
  }

  @Test
  void fromEnv_urlWithAclUserAndPassword_connectsAsThatUser() {
    redis.jedis().aclSetUser("alice", "reset", "on", ">s3cret-pw", "~*", "+@all");
    String prefix = RedisServer.newKeyPrefix();
    System.setProperty("REDIS_URL", "redis://alice:s3cret-pw@127.0.0.1:" + redis.port() + "/0");
    System.setProperty("CANVASSTATE_KEY_PREFIX", prefix);

    try (RedisStores stores = RedisStores.fromEnv()) {
      stores.canvas(JacksonCodec.of(Shape.class)).put("p1", "o1", RECT);

      assertThat(redis.jedis().hget(prefix + "canvas:{p1}:objects", "o1"))
          .isEqualTo("{\"type\":\"rect\",\"x\":1,\"y\":2}");
      assertThat(redis.jedis().clientList()).contains("name=canvasstate").contains("user=alice");
      assertThat(stores.toString()).contains("alice").doesNotContain("s3cret-pw");
    }
  }

  @Test
  void create_wrongPassword_failsAsAuthenticationWithoutThePassword() {
    redis.jedis().aclSetUser("bob", "reset", "on", ">right-pw", "~*", "+@all");
    StoreConfig config = redis.configBuilder()
        .redisUrl("redis://bob:wrong-pw@127.0.0.1:" + redis.port())
        .build();

    try (RedisStores stores = RedisStores.create(config)) {
      assertThatThrownBy(() -> stores.redisCanvas(JacksonCodec.of(Shape.class)).get("p1", "o1"))
          .isInstanceOf(StoreException.class)
          .isNotInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("authentication failed for user bob")
          .hasMessageNotContaining("wrong-pw");
      assertThat(stores.toString()).doesNotContain("wrong-pw");
    }
  }

  @Test
  void operation_userWithoutPermission_failsNamingTheUser() {
    redis.jedis().aclSetUser("reader", "reset", "on", ">pw", "~*", "+@read", "+@connection");
    StoreConfig config = redis.configBuilder()
        .redisUrl("redis://reader:pw@127.0.0.1:" + redis.port())
        .build();

    try (RedisStores stores = RedisStores.create(config)) {
      assertThatThrownBy(
          () -> stores.redisCanvas(JacksonCodec.of(Shape.class)).put("p1", "o1", RECT))
          .isInstanceOf(StoreException.class)
          .isNotInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("user reader");
    }
  }

  @Test
  void create_urlWithDatabase_writesIntoThatDatabase() {
    StoreConfig config = redis.configBuilder()
        .redisUrl("redis://127.0.0.1:" + redis.port() + "/3")
        .build();

    try (RedisStores stores = RedisStores.create(config); Jedis db3 = redis.connect()) {
      stores.redisCanvas(JacksonCodec.of(Shape.class)).put("p1", "o1", RECT);

      db3.select(3);
      assertThat(db3.hexists(config.keySchema().objectsKey("p1"), "o1")).isTrue();
      assertThat(redis.jedis().exists(config.keySchema().objectsKey("p1"))).isFalse();
    }
  }

  @Test
  void create_noRedisOrBadDatabase_failsAtOnce() {
    assertThatThrownBy(() -> RedisStores.create(StoreConfig.builder().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REDIS_URL");
    assertThatThrownBy(() -> RedisStores.create(
        StoreConfig.builder().redisUrl("redis://127.0.0.1:1/zero").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/zero");
  }

  @Test
  void close_factory_closesItsPooledConnectionsAndRejectsCalls() {
    Jedis raw = redis.jedis();
    RedisStores stores = RedisStores.create(redis.configBuilder().build());
    RedisCanvasStore<Shape> canvas = stores.redisCanvas(JacksonCodec.of(Shape.class));
    canvas.put("p1", "o1", RECT);
    assertThat(canvasConnections(raw)).isEqualTo(1);

    stores.close();

    await().atMost(5, SECONDS).untilAsserted(() -> assertThat(canvasConnections(raw)).isZero());
    assertThatThrownBy(() -> canvas.get("p1", "o1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> stores.redisCanvas(JacksonCodec.of(Shape.class)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(stores.toString()).endsWith(", closed]");
  }
}
