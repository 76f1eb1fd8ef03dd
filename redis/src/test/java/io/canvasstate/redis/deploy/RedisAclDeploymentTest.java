package io.canvasstate.redis.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.contract.TestShape;
import io.canvasstate.redis.RedisAcl;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.LogCapture;
import io.canvasstate.redis.testing.RedisAclExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * CanvasState under an ACL user limited to {@link RedisAcl#rules}: the contract suites pass
 * with nothing more, a wrong password is a clear error, and no password reaches a log line, an
 * exception or a {@code toString()}.
 */
class RedisAclDeploymentTest extends DeploymentContractTests {
  static final String USER = "canvasstate";
  static final String PASSWORD = "acl-secret-5d81e0";
  static final String WRONG_PASSWORD = "wrong-secret-2b77c4";
  /** Every store of this class gets a prefix "acl<n>:", which this pattern covers. */
  static final String PREFIX_PATTERN = "acl*:";

  @RegisterExtension
  static final RedisAclExtension ACL = new RedisAclExtension();

  static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);

  static final TestDeployment DEPLOYMENT = new TestDeployment("acl user",
      () -> ACL.config(USER, PASSWORD), ACL::adminClient, "acl");

  @BeforeAll
  static void createUser() {
    ACL.setUser(USER, PASSWORD, RedisAcl.rules(PREFIX_PATTERN));
  }

  @Override
  TestDeployment deployment() {
    return DEPLOYMENT;
  }

  /**
   * The room contract under the restricted user: every command the room scripts call, their
   * keys and their channel are in the rules.
   */
  @Nested
  @Order(3)
  class Rooms extends RedisRoomContract {
    @Override
    protected StoreConfig.Builder configBuilder() {
      return DEPLOYMENT.config();
    }
  }

  @Nested
  @Order(4)
  class Credentials {
    @Test
    void restrictedUser_otherKeysAndAdminCommands_areDenied() {
      try (Jedis asUser = new Jedis(new HostAndPort("127.0.0.1", ACL.port()),
          DefaultJedisClientConfig.builder().user(USER).password(PASSWORD)
              .autoNegotiateProtocol(false).build())) {
        assertThat(catchThrowable(() -> asUser.set("otherapp:key", "v")))
            .hasMessageStartingWith("NOPERM");
        assertThat(catchThrowable(() -> asUser.keys("*"))).hasMessageStartingWith("NOPERM");
        assertThat(catchThrowable(asUser::flushAll)).hasMessageStartingWith("NOPERM");
        assertThat(catchThrowable(() -> asUser.configGet("*"))).hasMessageStartingWith("NOPERM");
        assertThat(catchThrowable(() -> asUser.hset("acl9:canvas:{p}:objects", "o", "{}")))
            .isNull();
      }
    }

    @Test
    void fromEnv_credentialsInTheUrl_workUnderTheRestrictedUser() {
      StoreConfig config = StoreConfig.from(Map.of(
          "REDIS_URL", "redis://" + USER + ":" + PASSWORD + "@127.0.0.1:" + ACL.port(),
          "CANVASSTATE_KEY_PREFIX", "acl-env:"));

      try (RedisStores stores = RedisStores.create(config)) {
        CanvasStore<TestShape> canvas = stores.redisCanvas(SHAPES);
        canvas.put("p", "o", new TestShape("o", 1, 2));

        assertThat(canvas.getAll("p")).containsOnlyKeys("o");
        assertThat(canvas.activeProjects()).containsExactly("p");
        assertThat(config.toString()).doesNotContain(PASSWORD);
      }
    }

    @Test
    void operations_wrongPassword_failClearlyAndNotAsUnavailable() {
      try (RedisStores stores = RedisStores.create(ACL.config(USER, WRONG_PASSWORD)
          .keyPrefix("acl-wrong:").build())) {
        Throwable bare = catchThrowable(() -> stores.redisCanvas(SHAPES).get("p", "o"));
        Throwable wrapped = catchThrowable(() -> stores.canvas(SHAPES).get("p", "o"));

        assertThat(bare).isInstanceOf(StoreException.class)
            .isNotInstanceOf(StoreUnavailableException.class)
            .hasMessageContaining("authentication failed for user " + USER)
            .hasMessageContaining("WRONGPASS");
        assertThat(wrapped).as("a bad password is no outage: the failover store passes it on")
            .isInstanceOf(StoreException.class)
            .isNotInstanceOf(StoreUnavailableException.class)
            .hasMessageContaining("authentication failed for user " + USER);
        assertThat(catchThrowable(stores::ping)).isInstanceOf(StoreException.class)
            .hasMessageContaining("authentication failed");
      }
    }

    @Test
    void secrets_anyOperationOrFailure_appearInNoLogExceptionOrToString() {
      StringBuilder seen = new StringBuilder();
      try (LogCapture logs = LogCapture.start()) {
        StoreConfig right = StoreConfig.from(Map.of(
            "REDIS_URL", "redis://" + USER + ":" + PASSWORD + "@127.0.0.1:" + ACL.port(),
            "CANVASSTATE_KEY_PREFIX", "acl-secret:"));
        try (RedisStores stores = RedisStores.create(right)) {
          CanvasStore<TestShape> canvas = stores.canvas(SHAPES);
          PresenceStore<TestShape> presence = stores.presence(SHAPES);
          canvas.put("p", "o", new TestShape("o", 1, 2));
          presence.put("u", new TestShape("u", 3, 4));
          seen.append(right).append(stores).append(canvas).append(presence);
          seen.append(describe(catchThrowable(() -> canvas.put("p}", "o", new TestShape()))));
        }
        StoreConfig wrong = right.toBuilder().password(WRONG_PASSWORD).build();
        try (RedisStores stores = RedisStores.create(wrong)) {
          CanvasStore<TestShape> canvas = stores.canvas(SHAPES);
          seen.append(wrong).append(stores).append(canvas);
          seen.append(describe(catchThrowable(() -> canvas.get("p", "o"))));
          seen.append(describe(catchThrowable(stores::ping)));
          seen.append(describe(catchThrowable(() -> stores.presence(SHAPES).getAll())));
        }
        seen.append(describe(catchThrowable(() -> StoreConfig.from(Map.of(
            "REDIS_URL", "redis://" + USER + ":" + PASSWORD + "@127.0.0.1:99999")))));
        seen.append(logs.text());
      }

      assertThat(seen.toString())
          .contains("WRONGPASS", "authentication failed")
          .doesNotContain(PASSWORD, WRONG_PASSWORD);
    }

    private static String describe(Throwable t) {
      StringWriter out = new StringWriter();
      t.printStackTrace(new PrintWriter(out));
      return out.toString();
    }
  }
}
