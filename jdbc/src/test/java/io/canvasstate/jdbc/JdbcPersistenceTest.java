package io.canvasstate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.StoreConfig;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.persistence.ProjectChanges;
import io.canvasstate.redis.testing.PersistenceScenario;
import io.canvasstate.redis.testing.PersistentInstance;
import io.canvasstate.redis.testing.PersistentInstances;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Persistence end to end on real servers: instances on one Redis, saving to one PostgreSQL
 * table through {@link JdbcCanvasRepository}, as the README's PostgreSQL example wires them.
 */
class JdbcPersistenceTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  @RegisterExtension
  static final PostgresDatabase postgres = new PostgresDatabase();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  final PersistentInstances instances = new PersistentInstances();

  private PersistentInstance instance(String name, StoreConfig config,
      JdbcCanvasRepository<TestShape> durable) {
    return instances.open(name, config, durable,
        PersistenceConfig.builder().saveInterval(Duration.ofMillis(25)).build());
  }

  private JdbcCanvasRepository<TestShape> table(String name) {
    return JdbcCanvasRepository.builder(postgres.dataSource(), PersistentInstance.SHAPES)
        .table(postgres.table(name)).build();
  }

  @Test
  void twoInstances_10000WritesAcross50Projects_tableEqualsFinalStateAndNoChangeSavedTwice() {
    StoreConfig config = redis.configBuilder().build();
    JdbcCanvasRepository<TestShape> durable = table("two_instances");
    PersistentInstance a = instance("a", config, durable);
    PersistentInstance b = instance("b", config, durable);
    a.worker().start();
    b.worker().start();

    PersistenceScenario.randomWrites(instances.threads(), List.of(a.canvas(), a.canvas(), b.canvas(), b.canvas()),
        2_500, 50, 20, WAIT);
    await().atMost(WAIT).until(() -> a.backlog() == 0);

    PersistenceScenario.assertRepositoryEqualsStore(durable, a.stores().canvas(PersistentInstance.SHAPES), 50);
    PersistenceScenario.assertEachChangeSavedOnce(List.of(a.repository(), b.repository()));
    assertThat(a.persistence().stats().saveFailures() + b.persistence().stats().saveFailures())
        .isZero();
  }

  @Test
  void projectOnlyInPostgres_isLoadedOnFirstReadAndWarmed() {
    StoreConfig config = redis.configBuilder().build();
    JdbcCanvasRepository<TestShape> durable = table("cold");
    durable.save(new ProjectChanges<>("cold-1", 1, Map.of("a", new TestShape("a", 1, 1)),
        Set.of()));
    durable.save(new ProjectChanges<>("cold-2", 1, Map.of("b", new TestShape("b", 2, 2)),
        Set.of()));
    PersistentInstance a = instance("a", config, durable);

    int warmed = a.persistence().warm(List.of("cold-2"));

    assertThat(warmed).isEqualTo(1);
    assertThat(a.canvas().getAll("cold-1")).containsOnlyKeys("a");
    assertThat(a.canvas().getAll("cold-2")).containsOnlyKeys("b");
    assertThat(a.repository().loads()).isEqualTo(2);
  }
}
