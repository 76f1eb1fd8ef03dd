package io.canvasstate;

import static java.util.Objects.requireNonNull;

import io.canvasstate.internal.SettingValues;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How {@linkplain RoomPresenceStore rooms} tie connections to the liveness of their instance:
 * the lease and how often instances with listeners look for connections that ended. Immutable
 * and thread-safe.
 *
 * <table>
 *   <caption>Settings read by {@link #fromEnv()}</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code CANVASSTATE_ROOM_LEASE}</td><td>{@code 10s}</td>
 *       <td>how long an instance's connections outlive it when it dies without closing</td></tr>
 *   <tr><td>{@code CANVASSTATE_ROOM_SWEEP_INTERVAL}</td><td>{@code 1s}</td>
 *       <td>how often an instance with listeners on a room looks for ended connections</td></tr>
 * </table>
 */
public final class RoomConfig {
  /** Ten seconds: a killed instance's users are gone from the other instances within that. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);
  /** One second. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(1);
  /** The shortest lease accepted: the lease is refreshed every third of it. */
  public static final Duration MIN_LEASE = Duration.ofMillis(30);
  /** The defaults. */
  public static final RoomConfig DEFAULT = builder().build();

  private final Duration lease;
  private final Duration sweepInterval;

  private RoomConfig(Builder b) {
    this.lease = b.lease;
    this.sweepInterval = b.sweepInterval;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder with this configuration's values. */
  public Builder toBuilder() {
    return new Builder().lease(lease).sweepInterval(sweepInterval);
  }

  /**
   * The configuration from the environment and system properties (a property wins over a
   * variable of the same name); unset settings keep their defaults.
   *
   * @throws IllegalArgumentException naming the setting, if a value is invalid
   */
  public static RoomConfig fromEnv() {
    return from(SettingValues.environment());
  }

  /**
   * The configuration from {@code settings} (names as in the table above).
   *
   * @throws IllegalArgumentException naming the setting, if a value is invalid
   */
  public static RoomConfig from(Map<String, String> settings) {
    requireNonNull(settings, "settings");
    Builder b = builder();
    @Nullable String lease = SettingValues.get(settings, "CANVASSTATE_ROOM_LEASE");
    if (lease != null) {
      b.lease(SettingValues.parseDuration("CANVASSTATE_ROOM_LEASE", lease));
    }
    @Nullable String sweep = SettingValues.get(settings, "CANVASSTATE_ROOM_SWEEP_INTERVAL");
    if (sweep != null) {
      b.sweepInterval(SettingValues.parseDuration("CANVASSTATE_ROOM_SWEEP_INTERVAL", sweep));
    }
    return b.build();
  }

  /** How long an instance's connections outlive it when it dies without closing. */
  public Duration lease() {
    return lease;
  }

  /** How often the lease is refreshed: a third of it. */
  public Duration refreshInterval() {
    return lease.dividedBy(3);
  }

  /** How often an instance with listeners on a room looks for connections that ended. */
  public Duration sweepInterval() {
    return sweepInterval;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RoomConfig c && lease.equals(c.lease) && sweepInterval.equals(c.sweepInterval);
  }

  @Override
  public int hashCode() {
    return lease.hashCode() * 31 + sweepInterval.hashCode();
  }

  @Override
  public String toString() {
    return "RoomConfig[lease=" + lease + ", sweepInterval=" + sweepInterval + "]";
  }

  /** Builds a {@link RoomConfig}. Not thread-safe. */
  public static final class Builder {
    private Duration lease = DEFAULT_LEASE;
    private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;

    private Builder() {}

    /**
     * How long an instance's connections outlive it when it dies without closing.
     *
     * @throws IllegalArgumentException if shorter than {@link #MIN_LEASE}
     */
    public Builder lease(Duration lease) {
      requireNonNull(lease, "lease");
      if (lease.compareTo(MIN_LEASE) < 0) {
        throw new IllegalArgumentException("lease must be at least " + MIN_LEASE.toMillis()
            + " ms: " + lease);
      }
      this.lease = lease;
      return this;
    }

    /**
     * How often an instance with listeners on a room looks for connections that ended.
     *
     * @throws IllegalArgumentException if shorter than 1 ms
     */
    public Builder sweepInterval(Duration sweepInterval) {
      requireNonNull(sweepInterval, "sweepInterval");
      if (sweepInterval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("sweepInterval must be at least 1 ms: "
            + sweepInterval);
      }
      this.sweepInterval = sweepInterval;
      return this;
    }

    /** The configuration. */
    public RoomConfig build() {
      return new RoomConfig(this);
    }
  }
}
