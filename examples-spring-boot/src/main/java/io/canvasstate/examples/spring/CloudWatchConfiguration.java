package io.canvasstate.examples.spring;

import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

/**
 * Publishes the same meters to Amazon CloudWatch, with the {@code cloudwatch} profile
 * ({@code --spring.profiles.active=cloudwatch}, see {@code application-cloudwatch.properties}).
 * Spring Boot binds every {@code MeterBinder}, CanvasState's included, to this registry as to
 * the Prometheus one. The AWS SDK finds credentials and region its usual way (environment,
 * profile, instance or task role); the only permission needed is {@code cloudwatch:PutMetricData}.
 */
@Configuration(proxyBeanMethods = false)
@Profile("cloudwatch")
public class CloudWatchConfiguration {
  /** Made by Spring. */
  public CloudWatchConfiguration() {}

  /** The CloudWatch client, closed with the application. */
  @Bean(destroyMethod = "close")
  public CloudWatchAsyncClient cloudWatchAsyncClient() {
    return CloudWatchAsyncClient.create();
  }

  /** The registry that sends every meter to CloudWatch each {@code step}. */
  @Bean
  public CloudWatchMeterRegistry cloudWatchMeterRegistry(CloudWatchAsyncClient client,
      @Value("${canvasstate.example.cloudwatch.namespace}") String namespace,
      @Value("${canvasstate.example.cloudwatch.step:1m}") Duration step,
      @Value("${canvasstate.example.cloudwatch.enabled:true}") boolean enabled) {
    Map<String, String> settings = Map.of("cloudwatch.namespace", namespace,
        "cloudwatch.step", step.toString(), "cloudwatch.enabled", Boolean.toString(enabled));
    CloudWatchConfig config = settings::get;
    return new CloudWatchMeterRegistry(config, Clock.SYSTEM, client);
  }
}
