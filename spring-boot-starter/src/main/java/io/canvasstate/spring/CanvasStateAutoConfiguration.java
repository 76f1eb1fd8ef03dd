package io.canvasstate.spring;

import io.canvasstate.StoreConfig;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.micrometer.CanvasStateMetrics;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.RedisStores;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot auto-configuration of CanvasState: the configuration read from {@code canvasstate.*}
 * properties over the environment variables, a {@link RedisStores}, the {@link CanvasStateStores}
 * that application beans make typed stores with, and, when their libraries are present, a
 * {@link CanvasStateMetrics} meter binder and the {@code canvasState} health indicator. Every
 * bean backs off when the application defines its own.
 */
@AutoConfiguration
@EnableConfigurationProperties(CanvasStateProperties.class)
public class CanvasStateAutoConfiguration {
  /** Made by Spring. */
  public CanvasStateAutoConfiguration() {}

  /**
   * The store configuration: the environment and system properties as {@link
   * StoreConfig#fromEnv()} reads them, with the {@code canvasstate.*} properties that are set
   * winning.
   *
   * @throws IllegalArgumentException naming the setting if a value is invalid
   * @throws IllegalStateException if settings conflict
   */
  @Bean
  @ConditionalOnMissingBean
  public StoreConfig canvasStateStoreConfig(CanvasStateProperties properties) {
    return read(properties, StoreConfig::from);
  }

  /** The failover configuration, read as {@link #canvasStateStoreConfig} is. */
  @Bean
  @ConditionalOnMissingBean
  public FailoverConfig canvasStateFailoverConfig(CanvasStateProperties properties) {
    return read(properties, FailoverConfig::from);
  }

  /** The persistence configuration, read as {@link #canvasStateStoreConfig} is. */
  @Bean
  @ConditionalOnMissingBean
  public PersistenceConfig canvasStatePersistenceConfig(CanvasStateProperties properties) {
    return read(properties, PersistenceConfig::from);
  }

  /**
   * The stores' connections to Redis; does not connect at startup (except for a TLS check), so
   * the application starts while Redis is down. Closed when the context closes.
   *
   * @throws IllegalArgumentException if no Redis is configured
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public RedisStores redisStores(StoreConfig config, FailoverConfig failover) {
    return RedisStores.create(config, failover);
  }

  /** The factory of typed stores for the application's beans. */
  @Bean
  @ConditionalOnMissingBean
  CanvasStateStores canvasStateStores(RedisStores redis, PersistenceConfig persistence,
      CanvasStateProperties properties, ObjectProvider<MetricsHolder> metrics) {
    MetricsHolder holder = metrics.getIfAvailable();
    return new CanvasStateStores(redis, persistence, properties.getPersistence().isAutoSave(),
        holder == null ? null : holder.metrics);
  }

  /** The meter binder, where Micrometer and {@code canvasstate-micrometer} are present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterRegistry.class, CanvasStateMetrics.class})
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    CanvasStateMetrics canvasStateMetrics(RedisStores redis, CanvasStateProperties properties) {
      return CanvasStateMetrics.builder().redis(redis)
          .percentileHistograms(properties.getMetrics().isHistograms()).build();
    }

    @Bean
    MetricsHolder canvasStateMetricsHolder(CanvasStateMetrics metrics) {
      return new MetricsHolder(metrics);
    }
  }

  /** The health indicator, where Spring Boot's health support is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "canvasStateHealthIndicator")
    CanvasStateHealthIndicator canvasStateHealthIndicator(RedisStores redis) {
      return new CanvasStateHealthIndicator(redis);
    }
  }

  /**
   * The meter binder, typed as {@code Object} so that {@link CanvasStateStores} loads no
   * Micrometer class when Micrometer is absent.
   */
  static final class MetricsHolder {
    final Object metrics;

    MetricsHolder(Object metrics) {
      this.metrics = metrics;
    }
  }

  private static <C> C read(CanvasStateProperties properties,
      Function<Map<String, String>, C> reader) {
    Map<String, String> settings = environment();
    settings.putAll(properties.settings());
    try {
      return reader.apply(settings);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid CanvasState setting (a canvasstate.* property"
          + " or its environment variable): " + e.getMessage(), e);
    }
  }

  /** The environment variables, with the system properties of the same names winning. */
  private static Map<String, String> environment() {
    Map<String, String> settings = new LinkedHashMap<>(System.getenv());
    Properties props = System.getProperties();
    for (String name : props.stringPropertyNames()) {
      settings.put(name, props.getProperty(name));
    }
    return settings;
  }
}
