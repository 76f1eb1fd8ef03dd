package io.canvasstate.spring;

import static java.util.Objects.requireNonNull;

import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStats;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.redis.RedisStores;
import java.util.Locale;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of CanvasState's Redis, as the {@code canvasState} component of the health
 * endpoint: {@code UP} when Redis answers a {@code PING} and the stores use it; {@link
 * #FAILED_OVER} when Redis cannot be reached (or the write-back after an outage is still
 * running) but the failover-wrapped stores keep answering from memory; {@code DOWN} when Redis
 * cannot be reached and the fallback is off ({@code canvasstate.fallback=false}), or the stores
 * are closed. Details: the deployment, whether Redis answered, the failover state and counters.
 * Each check sends one {@code PING}, bounded by {@code canvasstate.redis.timeout}. Thread-safe.
 */
public final class CanvasStateHealthIndicator implements HealthIndicator {
  /**
   * Redis is unreachable (or being caught up after an outage) and the stores answer from memory:
   * the application works, other instances may not see this one's writes until Redis is back.
   * Rank it with {@code management.endpoint.health.status.order}.
   */
  public static final Status FAILED_OVER = new Status("FAILED_OVER",
      "Redis is unreachable or catching up; the stores answer from memory and write back later");

  private final RedisStores redis;

  /** The health of {@code redis}. */
  public CanvasStateHealthIndicator(RedisStores redis) {
    this.redis = requireNonNull(redis, "redis");
  }

  @Override
  public Health health() {
    Health.Builder health = Health.unknown()
        .withDetail("deployment", redis.config().deployment().name().toLowerCase(Locale.ROOT));
    boolean reachable;
    try {
      redis.ping();
      reachable = true;
      health.withDetail("redis", "reachable");
    } catch (RuntimeException e) {
      reachable = false;
      // Store exceptions never carry a password; their messages name the host and the operation.
      health.withDetail("redis", "unreachable").withDetail("error", e.toString());
    }
    Optional<FailoverStore> failover = redis.failover();
    if (failover.isEmpty()) {
      return (reachable ? health.up() : health.down()).build();
    }
    FailoverStats stats = failover.get().stats();
    health.withDetail("failover", stats.state().name().toLowerCase(Locale.ROOT))
        .withDetail("failovers", stats.failovers())
        .withDetail("pending", stats.pending());
    if (stats.state() == FailoverState.CLOSED) {
      return health.down().build();
    }
    if (!reachable || stats.state() != FailoverState.HEALTHY) {
      return health.status(FAILED_OVER).build();
    }
    return health.up().build();
  }

  @Override
  public String toString() {
    return "CanvasStateHealthIndicator[" + redis + "]";
  }
}
