package io.canvasstate.redis.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig.HostPort;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.RedisClusterExtension;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;

/**
 * CanvasState on a Redis Cluster of 3 masters and 3 replicas: the contract suites, keys spread
 * over every master, a slot moved to another master, and a master killed.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class RedisClusterDeploymentTest {
  @RegisterExtension
  static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

  static final TestDeployment DEPLOYMENT = new TestDeployment("cluster", CLUSTER::config,
      () -> RedisClusterClient.builder().nodes(nodes(CLUSTER.endpoints().stream().collect(
          Collectors.toList()))).build(), "cl");

  @AfterAll
  static void closeAdmin() {
    DEPLOYMENT.close();
  }

  static Set<HostAndPort> nodes(java.util.List<HostPort> endpoints) {
    return endpoints.stream().map(h -> new HostAndPort(h.host(), h.port()))
        .collect(Collectors.toSet());
  }

  @Nested
  @Order(1)
  class Canvas extends DeployedCanvasStoreContract {
    @Override
    protected TestDeployment deployment() {
      return DEPLOYMENT;
    }
  }

  @Nested
  @Order(2)
  class CanvasMap extends DeployedCanvasMapContract {
    @Override
    protected TestDeployment deployment() {
      return DEPLOYMENT;
    }
  }

  @Nested
  @Order(3)
  class Presence extends DeployedPresenceStoreContract {
    @Override
    protected TestDeployment deployment() {
      return DEPLOYMENT;
    }
  }
}
