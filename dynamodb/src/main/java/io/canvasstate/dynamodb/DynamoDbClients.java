package io.canvasstate.dynamodb;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/** Builds the DynamoDB client of a {@link DynamoDbConfig}. Not API. */
final class DynamoDbClients {
  /** The first retry waits up to this long (with full jitter), doubling each time. */
  static final Duration BASE_DELAY = Duration.ofMillis(25);
  /** No retry waits longer than this. */
  static final Duration MAX_DELAY = Duration.ofSeconds(2);
  /** The first retry after throttling waits up to this long, doubling each time. */
  static final Duration THROTTLED_BASE_DELAY = Duration.ofMillis(100);
  /** No retry after throttling waits longer than this. */
  static final Duration THROTTLED_MAX_DELAY = Duration.ofSeconds(5);

  private DynamoDbClients() {}

  /**
   * A synchronous client on Apache HttpClient 5 with a pool big enough for the write lanes, the
   * SDK's standard retries bounded by the config, and credentials from {@code credentials} or
   * the SDK's default chain.
   *
   * @throws IllegalStateException if the client cannot be built (no region known)
   */
  static DynamoDbClient create(DynamoDbConfig config, @Nullable AwsCredentialsProvider credentials) {
    DynamoDbClientBuilder b = DynamoDbClient.builder()
        .httpClientBuilder(Apache5HttpClient.builder()
            .maxConnections(config.writeConcurrency() + 4)
            .connectionTimeout(config.timeout())
            .socketTimeout(config.timeout()))
        .overrideConfiguration(o -> o
            .retryStrategy(retryStrategy(config.maxAttempts()))
            .apiCallAttemptTimeout(config.timeout()));
    if (credentials != null) {
      b.credentialsProvider(credentials);
    }
    config.region().ifPresent(r -> b.region(Region.of(r)));
    config.endpoint().ifPresent(b::endpointOverride);
    try {
      return b.build();
    } catch (SdkClientException e) {
      throw new IllegalStateException("cannot build the DynamoDB client of table " + config.table()
          + " (set AWS_REGION?): " + e.getMessage(), e);
    }
  }

  /**
   * The SDK's standard strategy (it retries throttling, 5xx answers, timeouts and connection
   * failures) with {@code maxAttempts} attempts and bounded exponential backoff.
   */
  static RetryStrategy retryStrategy(int maxAttempts) {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(maxAttempts)
        .backoffStrategy(BackoffStrategy.exponentialDelay(BASE_DELAY, MAX_DELAY))
        .throttlingBackoffStrategy(
            BackoffStrategy.exponentialDelay(THROTTLED_BASE_DELAY, THROTTLED_MAX_DELAY))
        .build();
  }
}
