package io.canvasstate.redis.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.JacksonCodec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.TestShape;
import io.canvasstate.redis.testing.ServerProcess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreConfig.HostPort;
import io.canvasstate.redis.RedisAcl;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.testing.PersistenceScenario;
import io.canvasstate.redis.testing.PersistentInstance;
import io.canvasstate.redis.testing.PersistentInstances;
import io.canvasstate.redis.testing.RedisClusterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/**
 * CanvasState on a Redis Cluster of 3 masters and 3 replicas: the contract suites, keys spread
 * over every master, a slot moved to another master, and a master killed.
 */
class RedisClusterDeploymentTest extends DeploymentContractTests {
  @RegisterExtension
  static final RedisClusterExtension CLUSTER = new RedisClusterExtension();

  static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);
  static final int MAX_VALUE_BYTES = 1 << 20;

  static final TestDeployment DEPLOYMENT = new TestDeployment("cluster", CLUSTER::config,
      () -> RedisClusterClient.builder().nodes(nodes(CLUSTER.endpoints().stream().collect(
          Collectors.toList()))).build(), "cl");

  static Set<HostAndPort> nodes(java.util.List<HostPort> endpoints) {
    return endpoints.stream().map(h -> new HostAndPort(h.host(), h.port()))
        .collect(Collectors.toSet());
  }

  @Override
  TestDeployment deployment() {
    return DEPLOYMENT;
  }

  @Nested
  @Order(4)
  class Topology {
    @Test
    void activeProjectsAndPresence_keysOnEveryMaster_allReportedAndRead() {
      try (RedisStores stores = DEPLOYMENT.newStores(TtlPolicy.DEFAULT, MAX_VALUE_BYTES)) {
        CanvasStore<TestShape> canvas = DEPLOYMENT.canvas(stores, SHAPES);
        PresenceStore<TestShape> presence = DEPLOYMENT.presence(stores, SHAPES);
        KeySchema keys = stores.config().keySchema();
        Map<Integer, String> projectPerMaster = new HashMap<>();
        for (int i = 0; projectPerMaster.size() < 3 && i < 100; i++) {
          String project = "spread-" + i;
          projectPerMaster.putIfAbsent(CLUSTER.masterOf(keys.objectsKey(project)).port(), project);
        }
        assertThat(projectPerMaster).as("projects whose hashes live on each master").hasSize(3);

        for (String project : projectPerMaster.values()) {
          canvas.put(project, "o1", new TestShape(project, 1, 2));
          canvas.put(project, "o2", new TestShape(project, 3, 4));
        }
        for (int u = 0; u < 20; u++) {
          presence.put("user-" + u, new TestShape("cursor", u, u));
        }

        assertThat(canvas.activeProjects())
            .containsExactlyInAnyOrderElementsOf(projectPerMaster.values());
        for (String project : projectPerMaster.values()) {
          assertThat(canvas.getAll(project)).containsOnlyKeys("o1", "o2");
          assertThat(canvas.count(project)).isEqualTo(2);
        }
        assertThat(presence.getAll()).hasSize(20).containsEntry("user-7",
            new TestShape("cursor", 7, 7));
        assertThat(presence.activeUsers()).hasSize(20);
      }
    }

    @Test
    void operations_aclUserWithTheDocumentedRules_workOnEveryMaster() {
      CLUSTER.setUser("canvasstate", "cluster-acl-pw", RedisAcl.rules("clacl:"));
      StoreConfig config = StoreConfig.from(Map.of(
          "REDIS_CLUSTER_ENDPOINTS", CLUSTER.endpointsText(),
          "REDIS_USERNAME", "canvasstate",
          "REDIS_PASSWORD", "cluster-acl-pw",
          "CANVASSTATE_KEY_PREFIX", "clacl:"));

      try (RedisStores stores = RedisStores.create(config)) {
        CanvasStore<TestShape> canvas = stores.redisCanvas(SHAPES);
        PresenceStore<TestShape> presence = stores.redisPresence(SHAPES);
        Set<String> projects = new HashSet<>();
        for (int i = 0; i < 12; i++) {
          canvas.put("p" + i, "o", new TestShape("o", i, i));
          projects.add("p" + i);
        }
        presence.put("u", new TestShape("u", 1, 1));

        assertThat(config.deployment()).isEqualTo(StoreConfig.Deployment.CLUSTER);
        assertThat(canvas.activeProjects()).containsExactlyInAnyOrderElementsOf(projects);
        assertThat(canvas.getAll("p3")).containsOnlyKeys("o");
        assertThat(canvas.remove("p3", "o")).isTrue();
        canvas.clear("p4");
        assertThat(canvas.count("p4")).isZero();
        assertThat(presence.getAll()).containsOnlyKeys("u");
        stores.ping();
      }
    }

    @Test
    void operations_slotMovedToAnotherMaster_continueWithoutError() {
      try (RedisStores stores = DEPLOYMENT.newStores(TtlPolicy.DEFAULT, MAX_VALUE_BYTES)) {
        CanvasStore<TestShape> canvas = DEPLOYMENT.canvas(stores, SHAPES);
        String key = stores.config().keySchema().objectsKey("moving");
        canvas.put("moving", "o1", new TestShape("a", 1, 1));
        ServerProcess before = CLUSTER.masterOf(key);

        ServerProcess after = CLUSTER.moveSlotOf(key);

        assertThat(after.port()).isNotEqualTo(before.port());
        assertThat(canvas.get("moving", "o1")).contains(new TestShape("a", 1, 1));
        canvas.put("moving", "o2", new TestShape("b", 2, 2));
        assertThat(canvas.getAll("moving")).containsOnlyKeys("o1", "o2");
        assertThat(canvas.activeProjects()).contains("moving");
      }
    }
  }

  /** The room contract on the Cluster: each room's scripts run on the master of its slot. */
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
  class RoomSpread {
    @Test
    void rooms_hundredRoomsOnThreeMasters_keysOnEveryMasterAndEachRoomListed() {
      StoreConfig config = DEPLOYMENT.config().fallbackEnabled(false).build();
      try (RedisStores stores = RedisStores.create(config);
          RoomPresenceStore<TestShape> rooms = stores.rooms(SHAPES)) {
        KeySchema keys = config.keySchema();
        Map<Integer, Integer> roomsPerMaster = new HashMap<>();
        for (int r = 0; r < 100; r++) {
          rooms.heartbeat("room-" + r, "user-" + r, "tab", new TestShape("cursor", r, r));
        }

        for (int r = 0; r < 100; r++) {
          String room = "room-" + r;
          int master = CLUSTER.masterOf(keys.roomKey(room, "connections")).port();
          assertThat(CLUSTER.masterOf(keys.roomKey(room, "ends")).port()).isEqualTo(master);
          assertThat(CLUSTER.masterOf(keys.roomKey(room, "index")).port()).isEqualTo(master);
          HostPort node = CLUSTER.masterOf(keys.roomKey(room, "connections")).hostPort();
          try (Jedis jedis = new Jedis(node.host(), node.port())) {
            assertThat(jedis.exists(keys.roomKey(room, "connections"))).as(room).isTrue();
          }
          roomsPerMaster.merge(master, 1, Integer::sum);
          assertThat(rooms.list(room)).singleElement().satisfies(c ->
              assertThat(c.userId()).isEqualTo("user-" + room.substring(5)));
        }
        assertThat(roomsPerMaster).as("rooms per master").hasSize(3)
            .allSatisfy((port, n) -> assertThat(n).isGreaterThan(10));
      }
    }
  }

  /**
   * Persistence on a Cluster, where the list of dirty projects lives in another slot than the
   * projects: writes list their project in the same pipeline and workers forget a clean project
   * in two steps (see {@code RedisChangeLog}).
   */
  @Nested
  @Order(4)
  class Persistence {
    @TempDir
    Path files;

    @RegisterExtension
    final PersistentInstances instances = new PersistentInstances();

    @Test
    void twoInstances_writesOnEveryMaster_repositoryEqualsFinalStateAndNoChangeSavedTwice() {
      StoreConfig config = DEPLOYMENT.config().build();
      JsonFileCanvasRepository<TestShape> durable = JsonFileCanvasRepository.open(files, SHAPES);
      PersistenceConfig settings =
          PersistenceConfig.builder().saveInterval(Duration.ofMillis(25)).build();
      PersistentInstance a = instances.open("a", config, durable, settings);
      PersistentInstance b = instances.open("b", config, durable, settings);
      a.worker().start();
      b.worker().start();

      PersistenceScenario.randomWrites(instances.threads(),
          List.of(a.canvas(), a.canvas(), b.canvas(), b.canvas()), 500, 20, 10,
          Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(60)).until(() -> a.backlog() == 0);

      PersistenceScenario.assertRepositoryEqualsStore(durable, a.stores().redisCanvas(SHAPES), 20);
      PersistenceScenario.assertEachChangeSavedOnce(List.of(a.repository(), b.repository()));
      Set<Integer> masters = new HashSet<>();
      for (int p = 0; p < 20; p++) {
        masters.add(CLUSTER.masterOf(config.keySchema().objectsKey("p" + p)).port());
      }
      assertThat(masters).as("masters holding the projects").hasSizeGreaterThan(1);
    }
  }

  @Nested
  @Order(5)
  class MasterFailure {
    @Test
    void bareStore_masterKilled_onlyTransientErrorsUntilTheReplicaTakesOver() {
      OutageCheck.bareStore(DEPLOYMENT, "survivor", CLUSTER::awaitReplicated,
          this::killAndRestore);
    }

    @Test
    void failoverStore_masterKilled_noCallerSeesAnErrorAndNoWriteIsLost() {
      OutageCheck.failoverStore(DEPLOYMENT, "calm", CLUSTER::awaitReplicated,
          this::killAndRestore);
    }

    /** Kills the master of the key and waits for the promotion; the node comes back after. */
    private void killAndRestore(String key) {
      restarts.add(CLUSTER.killMasterOf(key));
    }

    private final List<ServerProcess> restarts = new ArrayList<>();

    @AfterEach
    void restartKilledNodes() {
      restarts.forEach(CLUSTER::restart);
      restarts.clear();
    }
  }
}
