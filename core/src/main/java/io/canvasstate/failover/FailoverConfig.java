package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import io.canvasstate.internal.SettingValues;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How a {@link FailoverStore} detects an outage, probes for recovery and bounds its memory.
 *
 * <p>Each setting can also be read from the environment or system properties by
 * {@link #fromEnv()}:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code CANVASSTATE_FAILOVER_FAILURE_THRESHOLD}</td><td>{@code 1}</td>
 *       <td>{@link #failureThreshold()}</td></tr>
 *   <tr><td>{@code CANVASSTATE_FAILOVER_RECOVERY_THRESHOLD}</td><td>{@code 2}</td>
 *       <td>{@link #recoveryThreshold()}</td></tr>
 *   <tr><td>{@code CANVASSTATE_FAILOVER_PROBE_INTERVAL}</td><td>{@code 1s}</td>
 *       <td>{@link #probeInterval()}</td></tr>
 *   <tr><td>{@code CANVASSTATE_FAILOVER_BATCH_SIZE}</td><td>{@code 100}</td>
 *       <td>{@link #writeBackBatchSize()}</td></tr>
 *   <tr><td>{@code CANVASSTATE_FAILOVER_BUFFER_LIMIT}</td><td>{@code 100000}</td>
 *       <td>{@link #outageBufferLimit()}</td></tr>
 *   <tr><td>{@code CANVASSTATE_FAILOVER_LOCAL_COPY_LIMIT}</td><td>{@code 100000}</td>
 *       <td>{@link #localCopyLimit()}</td></tr>
 * </table>
 *
 * <p>How long a call may wait for Redis before it counts as failed is the store's own command
 * timeout ({@code REDIS_TIMEOUT}); a paused server is detected by that timeout. Instances are
 * immutable and thread-safe.
 */
public final class FailoverConfig {
  /**
   * Fail over on the first call the primary cannot answer. What reaches the decorator as
   * unavailable is only a node that could not be reached or did not answer within the command
   * timeout: redirections and transient refusals are retried inside the Redis call and a busy
   * pool is waited for. A second try would make the caller wait another timeout, and a call
   * that is not safe to repeat must be answered at once anyway.
   */
  public static final int DEFAULT_FAILURE_THRESHOLD = 1;
  /** Two probes in a row must succeed before writing back, to ride out a flapping server. */
  public static final int DEFAULT_RECOVERY_THRESHOLD = 2;
  /** Probe the primary every second during an outage. */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);
  /** Take 100 outage changes from the journal at a time when writing back. */
  public static final int DEFAULT_WRITE_BACK_BATCH_SIZE = 100;
  /** Journal at most 100,000 changed objects (and users) during one outage. */
  public static final int DEFAULT_OUTAGE_BUFFER_LIMIT = 100_000;
  /** Remember the last known state of at most 100,000 objects (and as many users). */
  public static final int DEFAULT_LOCAL_COPY_LIMIT = 100_000;
  /** Every default. */
  public static final FailoverConfig DEFAULT = builder().build();

  private final int failureThreshold;
  private final int recoveryThreshold;
  private final Duration probeInterval;
  private final int writeBackBatchSize;
  private final int outageBufferLimit;
  private final int localCopyLimit;

  private FailoverConfig(Builder b) {
    this.failureThreshold = b.failureThreshold;
    this.recoveryThreshold = b.recoveryThreshold;
    this.probeInterval = b.probeInterval;
    this.writeBackBatchSize = b.writeBackBatchSize;
    this.outageBufferLimit = b.outageBufferLimit;
    this.localCopyLimit = b.localCopyLimit;
  }

  /** A builder holding every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Reads the settings from the environment and system properties (which win); unset ones keep
   * their defaults.
   *
   * @throws IllegalArgumentException naming the setting whose value is invalid
   */
  public static FailoverConfig fromEnv() {
    return from(SettingValues.environment());
  }

  /**
   * Reads the settings from a map of names to values, as {@link #fromEnv()} does. Unknown names
   * are ignored; blank values count as unset.
   *
   * @throws IllegalArgumentException naming the setting whose value is invalid
   */
  public static FailoverConfig from(Map<String, String> settings) {
    requireNonNull(settings, "settings");
    Builder b = builder();
    ifSet(settings, "CANVASSTATE_FAILOVER_FAILURE_THRESHOLD", v -> b.failureThreshold(
        SettingValues.parseInt("CANVASSTATE_FAILOVER_FAILURE_THRESHOLD", v)));
    ifSet(settings, "CANVASSTATE_FAILOVER_RECOVERY_THRESHOLD", v -> b.recoveryThreshold(
        SettingValues.parseInt("CANVASSTATE_FAILOVER_RECOVERY_THRESHOLD", v)));
    ifSet(settings, "CANVASSTATE_FAILOVER_PROBE_INTERVAL", v -> b.probeInterval(
        SettingValues.parseDuration("CANVASSTATE_FAILOVER_PROBE_INTERVAL", v)));
    ifSet(settings, "CANVASSTATE_FAILOVER_BATCH_SIZE",
        v -> b.writeBackBatchSize(SettingValues.parseInt("CANVASSTATE_FAILOVER_BATCH_SIZE", v)));
    ifSet(settings, "CANVASSTATE_FAILOVER_BUFFER_LIMIT",
        v -> b.outageBufferLimit(SettingValues.parseInt("CANVASSTATE_FAILOVER_BUFFER_LIMIT", v)));
    ifSet(settings, "CANVASSTATE_FAILOVER_LOCAL_COPY_LIMIT", v -> b.localCopyLimit(
        SettingValues.parseInt("CANVASSTATE_FAILOVER_LOCAL_COPY_LIMIT", v)));
    return b.build();
  }

  private static void ifSet(Map<String, String> settings, String name, Consumer<String> action) {
    String v = SettingValues.get(settings, name);
    if (v != null) {
      action.accept(v);
    }
  }

  /**
   * How many calls in a row must fail with {@link io.canvasstate.StoreUnavailableException}
   * before the store fails over. Below it, a call that is safe to repeat (reads, {@code put},
   * {@code putAll}, {@code clear}, presence heartbeats) is retried on the primary at once; a call
   * that is not (conditional writes, {@code remove}, {@code getAnd*}) fails over at once, since
   * Redis may have applied it.
   */
  public int failureThreshold() {
    return failureThreshold;
  }

  /** How many probes in a row must reach the primary before the outage changes are written back. */
  public int recoveryThreshold() {
    return recoveryThreshold;
  }

  /** How often the primary is probed during an outage. */
  public Duration probeInterval() {
    return probeInterval;
  }

  /**
   * How many outage changes are taken from the journal at a time when writing back; also about
   * how many calls may wait, on the final switch back, while the last ones are written.
   */
  public int writeBackBatchSize() {
    return writeBackBatchSize;
  }

  /**
   * The most objects and users the outage journal tracks. The journal keeps only the latest
   * change of each, so it is bounded by what changed; past this limit a change to an object or
   * user not yet in the journal is still served from memory but is not written back, and is
   * counted and reported as dropped.
   */
  public int outageBufferLimit() {
    return outageBufferLimit;
  }

  /**
   * The most objects (and, separately, users) whose last known state is remembered while
   * healthy, to serve reads and to detect conflicts during an outage. Whole projects are
   * forgotten, least recently used first.
   */
  public int localCopyLimit() {
    return localCopyLimit;
  }

  @Override
  public String toString() {
    return "FailoverConfig{failureThreshold=" + failureThreshold
        + ", recoveryThreshold=" + recoveryThreshold
        + ", probeInterval=" + probeInterval
        + ", writeBackBatchSize=" + writeBackBatchSize
        + ", outageBufferLimit=" + outageBufferLimit
        + ", localCopyLimit=" + localCopyLimit + "}";
  }

  /** Builds a {@link FailoverConfig}; every setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private int recoveryThreshold = DEFAULT_RECOVERY_THRESHOLD;
    private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
    private int writeBackBatchSize = DEFAULT_WRITE_BACK_BATCH_SIZE;
    private int outageBufferLimit = DEFAULT_OUTAGE_BUFFER_LIMIT;
    private int localCopyLimit = DEFAULT_LOCAL_COPY_LIMIT;

    private Builder() {}

    private Builder(FailoverConfig c) {
      failureThreshold = c.failureThreshold;
      recoveryThreshold = c.recoveryThreshold;
      probeInterval = c.probeInterval;
      writeBackBatchSize = c.writeBackBatchSize;
      outageBufferLimit = c.outageBufferLimit;
      localCopyLimit = c.localCopyLimit;
    }

    /**
     * See {@link FailoverConfig#failureThreshold()}.
     *
     * @throws IllegalArgumentException if it is below 1
     */
    public Builder failureThreshold(int failureThreshold) {
      this.failureThreshold = atLeastOne(
          "failureThreshold (CANVASSTATE_FAILOVER_FAILURE_THRESHOLD)", failureThreshold);
      return this;
    }

    /**
     * See {@link FailoverConfig#recoveryThreshold()}.
     *
     * @throws IllegalArgumentException if it is below 1
     */
    public Builder recoveryThreshold(int recoveryThreshold) {
      this.recoveryThreshold = atLeastOne(
          "recoveryThreshold (CANVASSTATE_FAILOVER_RECOVERY_THRESHOLD)", recoveryThreshold);
      return this;
    }

    /**
     * See {@link FailoverConfig#probeInterval()}.
     *
     * @throws IllegalArgumentException if it is shorter than one millisecond
     */
    public Builder probeInterval(Duration probeInterval) {
      requireNonNull(probeInterval, "probeInterval");
      if (probeInterval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("probeInterval (CANVASSTATE_FAILOVER_PROBE_INTERVAL)"
            + " must be at least 1 ms: " + probeInterval);
      }
      this.probeInterval = probeInterval;
      return this;
    }

    /**
     * See {@link FailoverConfig#writeBackBatchSize()}.
     *
     * @throws IllegalArgumentException if it is below 1
     */
    public Builder writeBackBatchSize(int writeBackBatchSize) {
      this.writeBackBatchSize = atLeastOne(
          "writeBackBatchSize (CANVASSTATE_FAILOVER_BATCH_SIZE)", writeBackBatchSize);
      return this;
    }

    /**
     * See {@link FailoverConfig#outageBufferLimit()}.
     *
     * @throws IllegalArgumentException if it is below 1
     */
    public Builder outageBufferLimit(int outageBufferLimit) {
      this.outageBufferLimit = atLeastOne(
          "outageBufferLimit (CANVASSTATE_FAILOVER_BUFFER_LIMIT)", outageBufferLimit);
      return this;
    }

    /**
     * See {@link FailoverConfig#localCopyLimit()}; 0 keeps no local copy (outage reads then
     * start empty and every outage write to an existing object conflicts).
     *
     * @throws IllegalArgumentException if it is negative
     */
    public Builder localCopyLimit(int localCopyLimit) {
      if (localCopyLimit < 0) {
        throw new IllegalArgumentException("localCopyLimit (CANVASSTATE_FAILOVER_LOCAL_COPY_LIMIT)"
            + " must not be negative: " + localCopyLimit);
      }
      this.localCopyLimit = localCopyLimit;
      return this;
    }

    /** Builds the configuration. */
    public FailoverConfig build() {
      return new FailoverConfig(this);
    }

    private static int atLeastOne(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1: " + value);
      }
      return value;
    }
  }
}
