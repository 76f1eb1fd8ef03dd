package io.canvasstate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.inmemory.InMemoryCanvasRepository;
import io.canvasstate.micrometer.CanvasStateMetrics;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.redis.testing.RedisServerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class CanvasStateAutoConfigurationTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.controllable();

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private ApplicationContextRunner runner;

  @BeforeEach
  void runner() {
    try {
      redis.jedis().ping();
    } catch (RuntimeException e) {
      redis.restart();
    }
    runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CanvasStateAutoConfiguration.class))
        .withPropertyValues("canvasstate.redis.url=" + redis.url(),
            "canvasstate.key-prefix=starter" + PREFIXES.incrementAndGet() + ":",
            "canvasstate.redis.timeout=2s", "canvasstate.failover.probe-interval=100ms");
  }

  /** Typed stores as an application declares them. */
  @Configuration(proxyBeanMethods = false)
  static class Shapes {
    @Bean
    CanvasStore<Shape> shapes(CanvasStateStores stores) {
      return stores.canvas("shapes", Shape.class);
    }

    @Bean
    PresenceStore<String> cursors(CanvasStateStores stores) {
      return stores.presence("cursors", Codec.string());
    }
  }

  /** A canvas object. */
  record Shape(String kind, int x, int y) {}

  @Test
  void properties_set_winOverDefaultsAndReachEveryConfig() {
    runner.withPropertyValues("canvasstate.canvas-ttl=10m", "canvasstate.presence-ttl=30s",
            "canvasstate.redis.pool-size=4", "canvasstate.redis.connect-timeout=750ms",
            "canvasstate.max-value-bytes=2048", "canvasstate.fallback=false",
            "canvasstate.failover.failure-threshold=3", "canvasstate.failover.batch-size=7",
            "canvasstate.persistence.save-interval=2s", "canvasstate.persistence.save-batch-size=9")
        .run(context -> {
          StoreConfig config = context.getBean(StoreConfig.class);
          assertThat(config.redisUrl()).hasValueSatisfying(
              u -> assertThat(u.toString()).isEqualTo(redis.url()));
          assertThat(config.ttl().canvasTtl()).isEqualTo(Duration.ofMinutes(10));
          assertThat(config.ttl().presenceTtl()).isEqualTo(Duration.ofSeconds(30));
          assertThat(config.poolSize()).isEqualTo(4);
          assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(750));
          assertThat(config.maxValueBytes()).isEqualTo(2048);
          assertThat(config.fallbackEnabled()).isFalse();
          assertThat(config.keySchema().prefix()).startsWith("starter");
          FailoverConfig failover = context.getBean(FailoverConfig.class);
          assertThat(failover.failureThreshold()).isEqualTo(3);
          assertThat(failover.writeBackBatchSize()).isEqualTo(7);
          assertThat(failover.probeInterval()).isEqualTo(Duration.ofMillis(100));
          PersistenceConfig persistence = context.getBean(PersistenceConfig.class);
          assertThat(persistence.saveInterval()).isEqualTo(Duration.ofSeconds(2));
          assertThat(persistence.maxChangesPerSave()).isEqualTo(9);
          assertThat(context.getBean(RedisStores.class).failover()).isEmpty();
        });
  }

  @Test
  void environmentVariable_propertyUnset_stillApplies() {
    // A system property of a variable's name stands for the variable, as StoreConfig.fromEnv() reads them.
    System.setProperty("REDIS_POOL_SIZE", "5");
    System.setProperty("CANVASSTATE_PRESENCE_TTL", "42s");
    try {
      runner.withPropertyValues("canvasstate.presence-ttl=43s").run(context -> {
        StoreConfig config = context.getBean(StoreConfig.class);
        assertThat(config.poolSize()).isEqualTo(5);
        assertThat(config.ttl().presenceTtl()).isEqualTo(Duration.ofSeconds(43));
      });
    } finally {
      System.clearProperty("REDIS_POOL_SIZE");
      System.clearProperty("CANVASSTATE_PRESENCE_TTL");
    }
  }

  @Test
  void invalidProperty_startupFailsNamingTheSetting() {
    runner.withPropertyValues("canvasstate.redis.pool-size=0").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause()
          .hasMessageContaining("REDIS_POOL_SIZE").hasMessageContaining("0");
    });
  }

  @Test
  void noRedisConfigured_startupFailsNamingTheSettings() {
    Assumptions.assumeTrue(System.getenv("REDIS_URL") == null
        && System.getenv("REDIS_CLUSTER_ENDPOINTS") == null
        && System.getenv("REDIS_SENTINEL_MASTER") == null, "a Redis is configured by the environment");
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CanvasStateAutoConfiguration.class))
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .hasMessageContaining("no Redis configured").hasMessageContaining("REDIS_URL");
        });
  }

  @Test
  void storeConfig_applicationDefinesOne_autoConfigurationBacksOff() {
    StoreConfig own = redis.configBuilder().keyPrefix("own:").poolSize(3).build();
    runner.withBean(StoreConfig.class, () -> own).run(context -> {
      assertThat(context).hasSingleBean(StoreConfig.class);
      assertThat(context.getBean(RedisStores.class).config()).isSameAs(own);
      assertThat(context.getBean(RedisStores.class).poolStats().max()).isEqualTo(3);
    });
  }

  @Test
  void password_neverInToStringOfPropertiesOrConfig() {
    runner.withPropertyValues("canvasstate.redis.password=s3cret-pw").run(context -> {
      assertThat(context.getBean(CanvasStateProperties.class).toString())
          .doesNotContain("s3cret-pw");
      assertThat(context.getBean(StoreConfig.class).toString()).doesNotContain("s3cret-pw");
      assertThat(context.getBean(RedisStores.class).toString()).doesNotContain("s3cret-pw");
    });
  }

  @Test
  void typedStores_twoContextsOnOneRedis_seeEachOthersWrites() {
    ApplicationContextRunner app = runner.withUserConfiguration(Shapes.class)
        .withPropertyValues("canvasstate.key-prefix=shared" + PREFIXES.incrementAndGet() + ":");
    app.run(a -> app.run(b -> {
      @SuppressWarnings("unchecked")
      CanvasStore<Shape> first = a.getBean("shapes", CanvasStore.class);
      @SuppressWarnings("unchecked")
      CanvasStore<Shape> second = b.getBean("shapes", CanvasStore.class);
      first.put("p1", "rect-1", new Shape("rect", 1, 2));
      assertThat(second.get("p1", "rect-1")).contains(new Shape("rect", 1, 2));
      assertThat(redis.jedis().hget(
          a.getBean(StoreConfig.class).keySchema().objectsKey("p1"), "rect-1"))
          .isEqualTo("{\"kind\":\"rect\",\"x\":1,\"y\":2}");
    }));
  }

  @Test
  void metrics_micrometerPresent_binderMeasuresTypedStores() {
    runner.withUserConfiguration(Shapes.class).run(context -> {
      CanvasStateMetrics metrics = context.getBean(CanvasStateMetrics.class);
      MeterRegistry registry = new SimpleMeterRegistry();
      metrics.bindTo(registry);
      @SuppressWarnings("unchecked")
      CanvasStore<Shape> shapes = context.getBean("shapes", CanvasStore.class);
      shapes.put("p1", "a", new Shape("rect", 0, 0));
      assertThat(registry.get("canvasstate.operations")
          .tags("store", "canvas", "name", "shapes", "operation", "put", "outcome", "success")
          .timer().count())
          .isEqualTo(1);
      assertThat(registry.get("canvasstate.redis.pool.max").gauge().value()).isEqualTo(16);
    });
  }

  @Test
  void metrics_micrometerAbsent_noBinderAndStoresStillWork() {
    runner.withUserConfiguration(Shapes.class)
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean("canvasStateMetrics");
          @SuppressWarnings("unchecked")
          CanvasStore<Shape> shapes = context.getBean("shapes", CanvasStore.class);
          shapes.put("p1", "a", new Shape("rect", 0, 0));
          assertThat(shapes.count("p1")).isEqualTo(1);
        });
  }

  @Test
  void health_healthAbsent_noIndicator() {
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(CanvasStateHealthIndicator.class));
  }

  @Test
  void health_redisUp_up() {
    runner.run(context -> {
      Health health = context.getBean(CanvasStateHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("redis", "reachable")
          .containsEntry("failover", "healthy").containsEntry("deployment", "standalone");
    });
  }

  @Test
  void health_redisKilledWithFallback_failedOverThenUpAgain() {
    runner.withUserConfiguration(Shapes.class).run(context -> {
      CanvasStateHealthIndicator indicator = context.getBean(CanvasStateHealthIndicator.class);
      @SuppressWarnings("unchecked")
      CanvasStore<Shape> shapes = context.getBean("shapes", CanvasStore.class);
      redis.kill();
      shapes.put("p1", "a", new Shape("rect", 0, 0));   // answered from memory
      Health down = indicator.health();
      assertThat(down.getStatus()).isEqualTo(CanvasStateHealthIndicator.FAILED_OVER);
      assertThat(down.getDetails()).containsEntry("redis", "unreachable")
          .containsEntry("failover", "failed_over");
      redis.restart();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(
          () -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
    });
  }

  @Test
  void health_redisKilledWithoutFallback_down() {
    runner.withPropertyValues("canvasstate.fallback=false").run(context -> {
      redis.kill();
      Health health = context.getBean(CanvasStateHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("redis", "unreachable")
          .doesNotContainKey("failover");
    });
  }

  @Test
  void shutdown_unsavedChanges_flushedToRepositoryBeforeStoresClose() {
    InMemoryCanvasRepository<String> repository = InMemoryCanvasRepository.create(Codec.string());
    runner.withPropertyValues("canvasstate.persistence.save-interval=1h")
        .withBean(InMemoryCanvasRepository.class, () -> repository)
        .withUserConfiguration(Drawings.class)
        .run(context -> {
          @SuppressWarnings("unchecked")
          CanvasStore<String> drawings = context.getBean("drawings", CanvasStore.class);
          drawings.put("p1", "a", "{\"x\":1}");
          assertThat(repository.load("p1")).isEmpty(); // the worker's first round is an hour away
        });
    assertThat(repository.load("p1")).containsExactlyEntriesOf(Map.of("a", "{\"x\":1}"));
  }

  @Test
  void metrics_storeWithRepository_persistenceAndItsFailoverWatched() {
    InMemoryCanvasRepository<String> repository = InMemoryCanvasRepository.create(Codec.string());
    runner.withPropertyValues("canvasstate.persistence.save-interval=1h")
        .withBean(InMemoryCanvasRepository.class, () -> repository)
        .withUserConfiguration(Drawings.class)
        .run(context -> {
          MeterRegistry registry = new SimpleMeterRegistry();
          context.getBean(CanvasStateMetrics.class).bindTo(registry);
          @SuppressWarnings("unchecked")
          CanvasStore<String> drawings = context.getBean("drawings", CanvasStore.class);
          drawings.put("p1", "a", "{}");
          assertThat(registry.get("canvasstate.operations")
              .tags("name", "drawings", "operation", "put", "outcome", "success").timer().count())
              .isEqualTo(1);
          assertThat(registry.get("canvasstate.persistence.backlog").tag("name", "drawings")
              .gauge().value()).isEqualTo(1);
          assertThat(registry.get("canvasstate.failover.state")
              .tags("name", "drawings", "state", "healthy").gauge().value()).isEqualTo(1);
        });
  }

  /** A store with persistence, as an application declares it. */
  @Configuration(proxyBeanMethods = false)
  static class Drawings {
    @Bean
    CanvasStore<String> drawings(CanvasStateStores stores,
        InMemoryCanvasRepository<String> repository) {
      return stores.canvas("drawings", Codec.string(), repository);
    }
  }

  @Test
  void metadata_everyProperty_describedForIdeCompletion() throws Exception {
    JsonNode metadata;
    try (InputStream in = getClass().getResourceAsStream(
        "/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, String> described = new java.util.TreeMap<>();
    for (JsonNode property : metadata.get("properties")) {
      described.put(property.get("name").asText(), property.path("description").asText(""));
    }
    // Every environment variable has a property, plus auto-save and histograms.
    assertThat(described).hasSize(42).containsKeys("canvasstate.redis.url",
        "canvasstate.redis.cluster-endpoints", "canvasstate.redis.sentinel.master",
        "canvasstate.redis.sentinel.nodes", "canvasstate.redis.tls.ca-file",
        "canvasstate.redis.tls.verify-hostname", "canvasstate.redis.max-retry-duration",
        "canvasstate.failover.local-copy-limit", "canvasstate.persistence.load-timeout",
        "canvasstate.persistence.auto-save", "canvasstate.metrics.histograms",
        "canvasstate.fallback", "canvasstate.key-prefix");
    assertThat(described.values()).allSatisfy(d -> assertThat(d).isNotBlank());
    assertThat(new CanvasStateProperties().settings()).isEmpty();
  }
}
