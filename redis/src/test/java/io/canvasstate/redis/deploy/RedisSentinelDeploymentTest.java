package io.canvasstate.redis.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.TestShape;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.RedisSentinelExtension;
import io.canvasstate.redis.testing.ServerProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisSentinelClient;

/**
 * CanvasState behind Sentinel (one master, one replica, three sentinels; the data nodes and the
 * sentinels each require a password): the contract suites, then the master killed under traffic.
 */
class RedisSentinelDeploymentTest extends DeploymentContractTests {
  static final String DATA_PASSWORD = "data-pw-7f3a";
  static final String SENTINEL_PASSWORD = "sentinel-pw-91c2";

  @RegisterExtension
  static final RedisSentinelExtension SENTINEL =
      RedisSentinelExtension.withPasswords(DATA_PASSWORD, SENTINEL_PASSWORD);

  static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);

  static final TestDeployment DEPLOYMENT = new TestDeployment("sentinel", SENTINEL::config,
      () -> RedisSentinelClient.builder()
          .masterName(RedisSentinelExtension.MASTER_NAME)
          .sentinels(SENTINEL.sentinelNodes().stream()
              .map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet()))
          .clientConfig(DefaultJedisClientConfig.builder().password(DATA_PASSWORD).build())
          .sentinelClientConfig(
              DefaultJedisClientConfig.builder().password(SENTINEL_PASSWORD).build())
          .build(),
      "se");

  @Override
  TestDeployment deployment() {
    return DEPLOYMENT;
  }

  @Nested
  @Order(4)
  class MasterFailure {
    @Test
    void fromEnv_sentinelVariables_selectTheSentinelDeployment() {
      StoreConfig config = StoreConfig.from(Map.of(
          "REDIS_SENTINEL_MASTER", RedisSentinelExtension.MASTER_NAME,
          "REDIS_SENTINEL_NODES", SENTINEL.sentinelNodesText(),
          "REDIS_PASSWORD", DATA_PASSWORD,
          "REDIS_SENTINEL_PASSWORD", SENTINEL_PASSWORD,
          "CANVASSTATE_KEY_PREFIX", "se-env:"));

      try (RedisStores stores = RedisStores.create(config)) {
        CanvasStore<TestShape> canvas = stores.redisCanvas(SHAPES);
        canvas.put("p", "o", new TestShape("o", 1, 2));

        assertThat(config.deployment()).isEqualTo(StoreConfig.Deployment.SENTINEL);
        assertThat(canvas.get("p", "o")).contains(new TestShape("o", 1, 2));
        assertThat(DEPLOYMENT.admin().hget("se-env:canvas:{p}:objects", "o"))
            .isEqualTo("{\"id\":\"o\",\"kind\":\"rect\",\"x\":1,\"y\":2,\"tags\":[]}");
      }
    }

    @Test
    void bareStore_masterKilled_followsThePromotedReplica() {
      ServerProcess oldMaster = SENTINEL.currentMaster();

      OutageCheck.bareStore(DEPLOYMENT, "survivor", key -> SENTINEL.awaitReplicated(),
          key -> killed.add(SENTINEL.killMaster()));

      assertThat(SENTINEL.currentMaster().port()).isNotEqualTo(oldMaster.port());
    }

    @Test
    void failoverStore_masterKilled_noCallerSeesAnErrorAndNoWriteIsLost() {
      ServerProcess oldMaster = SENTINEL.currentMaster();

      OutageCheck.failoverStore(DEPLOYMENT, "calm", key -> SENTINEL.awaitReplicated(),
          key -> killed.add(SENTINEL.killMaster()));

      assertThat(SENTINEL.currentMaster().port()).isNotEqualTo(oldMaster.port());
    }

    private final List<ServerProcess> killed = new ArrayList<>();

    @AfterEach
    void restartKilledMaster() {
      killed.forEach(SENTINEL::restart);
      killed.clear();
    }
  }
}
