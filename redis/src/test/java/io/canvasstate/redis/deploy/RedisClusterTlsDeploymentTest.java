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
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.RedisClusterExtension;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CanvasState on a TLS-only Redis Cluster (clients, cluster bus and replication over TLS),
 * configured from the environment alone: the nodes the client discovers are reached over TLS
 * and verified, and a wrong CA fails at startup naming a seed.
 */
class RedisClusterTlsDeploymentTest {
  @RegisterExtension
  static final RedisClusterExtension CLUSTER = RedisClusterExtension.withTls();

  static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);

  private static Map<String, String> env(String caFile) {
    return Map.of(
        "REDIS_CLUSTER_ENDPOINTS", CLUSTER.endpointsText(),
        "REDIS_TLS", "true",
        "REDIS_TLS_CA_FILE", caFile,
        "CANVASSTATE_KEY_PREFIX", "cltls:",
        "CANVASSTATE_FALLBACK", "false");
  }

  @Test
  void operations_tlsClusterFromEnvironment_reachEveryMasterOverTls() {
    StoreConfig config = StoreConfig.from(env(CLUSTER.certificates().caCert().toString()));

    try (RedisStores stores = RedisStores.create(config)) {
      CanvasStore<TestShape> canvas = stores.canvas(SHAPES);
      PresenceStore<TestShape> presence = stores.presence(SHAPES);
      Set<String> projects = new HashSet<>();
      Set<Integer> masters = new HashSet<>();
      for (int i = 0; masters.size() < 3 && i < 100; i++) {
        String project = "p" + i;
        canvas.put(project, "o", new TestShape("o", i, i));
        projects.add(project);
        masters.add(CLUSTER.masterOf(config.keySchema().objectsKey(project)).port());
      }
      presence.put("u", new TestShape("u", 1, 1));

      assertThat(masters).as("masters holding the projects").hasSize(3);
      assertThat(canvas.activeProjects()).containsExactlyInAnyOrderElementsOf(projects);
      assertThat(canvas.getAll("p0")).containsOnlyKeys("o");
      assertThat(presence.getAll()).containsOnlyKeys("u");
    }
  }

  @Test
  void create_wrongCa_failsAtStartupNamingASeed() {
    Throwable thrown = catchThrowable(() -> RedisStores.create(StoreConfig.from(
        env(CLUSTER.certificates().otherCaCert().toString()))).close());

    assertThat(thrown).isInstanceOf(StoreException.class)
        .isNotInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("TLS handshake with Redis at " + CLUSTER.endpoints().get(0))
        .hasMessageContaining("REDIS_TLS_CA_FILE");
  }
}
