package io.canvasstate.redis.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.Capability;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.testing.PersistenceScenario;
import io.canvasstate.redis.testing.PersistentInstance;
import io.canvasstate.redis.testing.PersistentInstances;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
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
 * CanvasState under an ACL user limited to {@link RedisAcl#rules}: the contract suites (canvas,
 * asMap, presence, events, and the canvas with persistence) and the auto-save worker pass with
 * nothing more, a wrong password is a clear error, and no password reaches a log line, an
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

  /** The canvas contract through stores with persistence, whose scripts call more commands. */
  @Nested
  @Order(3)
  class PersistentCanvas extends DeployedCanvasStoreContract {
    @TempDir
    Path files;

    @Override
    protected TestDeployment deployment() {
      return DEPLOYMENT;
    }

    @Override
    protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
      RedisStores stores = closeAfterTest(deployment().newStores(ttl, maxValueBytes));
      Persistence<T> persistence =
          Persistence.builder(JsonFileCanvasRepository.open(files, codec)).build();
      return deployment().track(stores.redisCanvas(codec, persistence), stores);
    }

    @Override
    protected Set<Capability> capabilities() {
      return EnumSet.of(Capability.TYPED_KEYS, Capability.DURABLE);
    }
  }

  /** Saving, claiming, completing and loading through the restricted user. */
  @Nested
  @Order(3)
  class Saving {
    @TempDir
    Path files;

    @RegisterExtension
    final PersistentInstances instances = new PersistentInstances();

    @Test
    void twoInstances_restrictedUser_saveEverythingAndLoadItBack() {
      JsonFileCanvasRepository<TestShape> durable = JsonFileCanvasRepository.open(files, SHAPES);
      PersistenceConfig settings =
          PersistenceConfig.builder().saveInterval(Duration.ofMillis(25)).build();
      PersistentInstance a = instances.open("a", DEPLOYMENT.config().build(), durable, settings);
      PersistentInstance b = instances.open("b", a.stores().config(), durable, settings);
      a.worker().start();
      b.worker().start();

      PersistenceScenario.randomWrites(instances.threads(), List.of(a.canvas(), b.canvas()),
          200, 5, 10, Duration.ofSeconds(60));
      a.canvas().clear("p0");
      await().atMost(Duration.ofSeconds(60)).until(() -> a.backlog() == 0);
      PersistenceScenario.assertRepositoryEqualsStore(durable, a.stores().redisCanvas(SHAPES), 5);

      // A fresh key prefix holds nothing: every read loads the project from the repository.
      PersistentInstance fresh =
          instances.open("fresh", DEPLOYMENT.config().build(), durable, settings);
      PersistenceScenario.assertRepositoryEqualsStore(durable, fresh.canvas(), 5);
    }
  }

  /**
   * The room contract under the restricted user: every command the room scripts call, their
   * keys and their channel are in the rules.
   */
  @Nested
  @Order(4)
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
