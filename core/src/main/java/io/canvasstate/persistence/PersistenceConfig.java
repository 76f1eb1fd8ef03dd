package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import io.canvasstate.internal.SettingValues;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * How persistence paces itself: how often workers save, how long their claims and load leases
 * last, and how much one save carries. Build it, or read it from the environment with
 * {@link #fromEnv()}:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>variable</th><th>builder</th><th>default</th></tr>
 *   <tr><td>{@code CANVASSTATE_SAVE_INTERVAL}</td><td>{@link Builder#saveInterval}</td><td>5s</td></tr>
 *   <tr><td>{@code CANVASSTATE_SAVE_LEASE}</td><td>{@link Builder#saveLease}</td><td>30s</td></tr>
 *   <tr><td>{@code CANVASSTATE_SAVE_BATCH_SIZE}</td><td>{@link Builder#maxChangesPerSave}</td>
 *       <td>500</td></tr>
 *   <tr><td>{@code CANVASSTATE_SAVE_MAX_PROJECTS}</td><td>{@link Builder#maxProjectsPerRound}</td>
 *       <td>1000</td></tr>
 *   <tr><td>{@code CANVASSTATE_SAVE_CLOSE_TIMEOUT}</td><td>{@link Builder#closeTimeout}</td>
 *       <td>30s</td></tr>
 *   <tr><td>{@code CANVASSTATE_LOAD_LEASE}</td><td>{@link Builder#loadLease}</td><td>10s</td></tr>
 *   <tr><td>{@code CANVASSTATE_LOAD_TIMEOUT}</td><td>{@link Builder#loadTimeout}</td><td>30s</td></tr>
 *   <tr><td>{@code CANVASSTATE_SAVE_MAX_RETRY_DELAY}</td><td>{@link Builder#maxRetryDelay}</td>
 *       <td>5m</td></tr>
 *   <tr><td>{@code CANVASSTATE_SAVE_RECONCILE_INTERVAL}</td>
 *       <td>{@link Builder#reconcileInterval}</td><td>5m</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * PersistenceConfig config = PersistenceConfig.builder()
 *     .saveInterval(Duration.ofSeconds(2))
 *     .saveLease(Duration.ofSeconds(30))
 *     .build();
 * }</pre>
 */
public final class PersistenceConfig {
  /** How often a worker looks for unsaved changes by default. */
  public static final Duration DEFAULT_SAVE_INTERVAL = Duration.ofSeconds(5);
  /** How long a worker's claim on a project lasts by default. */
  public static final Duration DEFAULT_SAVE_LEASE = Duration.ofSeconds(30);
  /** How long a load lease lasts by default. */
  public static final Duration DEFAULT_LOAD_LEASE = Duration.ofSeconds(10);
  /** How long a caller waits for a load by default. */
  public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(30);
  /** How long {@link AutoSaveWorker#close()} goes on saving by default. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** The most changes one save carries by default. */
  public static final int DEFAULT_MAX_CHANGES_PER_SAVE = 500;
  /** The most projects a worker looks at in one round by default. */
  public static final int DEFAULT_MAX_PROJECTS_PER_ROUND = 1000;
  /** The largest {@link #maxChangesPerSave()} accepted: it bounds the work of one claim. */
  public static final int MAX_CHANGES_PER_SAVE = 10_000;
  /** The longest a failing project waits before it is tried again, by default. */
  public static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofMinutes(5);
  /** How often a worker lists again the dirty projects the list lacks, by default. */
  public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofMinutes(5);
  /** The defaults. */
  public static final PersistenceConfig DEFAULT = builder().build();

  private final Duration saveInterval;
  private final Duration saveLease;
  private final Duration loadLease;
  private final Duration loadTimeout;
  private final Duration closeTimeout;
  private final int maxChangesPerSave;
  private final int maxProjectsPerRound;
  private final Duration maxRetryDelay;
  private final Duration reconcileInterval;

  private PersistenceConfig(Builder b) {
    this.saveInterval = b.saveInterval;
    this.saveLease = b.saveLease;
    this.loadLease = b.loadLease;
    this.loadTimeout = b.loadTimeout;
    this.closeTimeout = b.closeTimeout;
    this.maxChangesPerSave = b.maxChangesPerSave;
    this.maxProjectsPerRound = b.maxProjectsPerRound;
    this.maxRetryDelay = b.maxRetryDelay;
    this.reconcileInterval = b.reconcileInterval;
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the settings from the environment and system properties (which win); unset ones keep
   * their defaults.
   *
   * @throws IllegalArgumentException naming the variable whose value is invalid
   */
  public static PersistenceConfig fromEnv() {
    return from(SettingValues.environment());
  }

  /**
   * Reads the settings from a map of variable names to values, as {@link #fromEnv()} does.
   * Unknown names are ignored; blank values count as unset.
   *
   * @throws IllegalArgumentException naming the variable whose value is invalid
   */
  public static PersistenceConfig from(Map<String, String> settings) {
    requireNonNull(settings, "settings");
    Builder b = builder();
    duration(settings, "CANVASSTATE_SAVE_INTERVAL", b::saveInterval);
    duration(settings, "CANVASSTATE_SAVE_LEASE", b::saveLease);
    number(settings, "CANVASSTATE_SAVE_BATCH_SIZE", b::maxChangesPerSave);
    number(settings, "CANVASSTATE_SAVE_MAX_PROJECTS", b::maxProjectsPerRound);
    duration(settings, "CANVASSTATE_SAVE_CLOSE_TIMEOUT", b::closeTimeout);
    duration(settings, "CANVASSTATE_LOAD_LEASE", b::loadLease);
    duration(settings, "CANVASSTATE_LOAD_TIMEOUT", b::loadTimeout);
    duration(settings, "CANVASSTATE_SAVE_MAX_RETRY_DELAY", b::maxRetryDelay);
    duration(settings, "CANVASSTATE_SAVE_RECONCILE_INTERVAL", b::reconcileInterval);
    return b.build();
  }

  private static void duration(Map<String, String> settings, String name,
      Consumer<Duration> set) {
    String v = SettingValues.get(settings, name);
    if (v != null) {
      named(name, () -> set.accept(SettingValues.parseDuration(name, v)));
    }
  }

  private static void number(Map<String, String> settings, String name, IntConsumer set) {
    String v = SettingValues.get(settings, name);
    if (v != null) {
      named(name, () -> set.accept(SettingValues.parseInt(name, v)));
    }
  }

  /** Runs a setter, putting the variable's name in front of a message that lacks it. */
  private static void named(String name, Runnable set) {
    try {
      set.run();
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      if (message.startsWith(name)) {
        throw e;
      }
      throw new IllegalArgumentException(name + ": " + message, e);
    }
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** How long a worker waits between rounds. */
  public Duration saveInterval() {
    return saveInterval;
  }

  /**
   * How long a worker's claim on a project lasts: another instance takes over a project whose
   * worker died after this long. Longer than a save of {@link #maxChangesPerSave()} changes
   * takes.
   */
  public Duration saveLease() {
    return saveLease;
  }

  /**
   * How long a load lease lasts: another caller loads a project itself when the instance loading
   * it died, after this long.
   */
  public Duration loadLease() {
    return loadLease;
  }

  /**
   * How long a caller waits for another instance's load of a cold project before giving up with
   * {@link io.canvasstate.StoreUnavailableException}.
   */
  public Duration loadTimeout() {
    return loadTimeout;
  }

  /** How long {@link AutoSaveWorker#close()} goes on saving what is left. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** The most changes one call to {@link CanvasRepository#save} carries. */
  public int maxChangesPerSave() {
    return maxChangesPerSave;
  }

  /** The most projects a worker looks at in one round; the rest wait for the next one. */
  public int maxProjectsPerRound() {
    return maxProjectsPerRound;
  }

  /**
   * The longest a project whose save keeps failing waits before it is tried again: the wait
   * doubles from {@link #saveInterval()} with each failure in a row, up to this.
   */
  public Duration maxRetryDelay() {
    return maxRetryDelay;
  }

  /** How often a worker lists again the projects with unsaved changes the list lacks. */
  public Duration reconcileInterval() {
    return reconcileInterval;
  }

  @Override
  public String toString() {
    return "PersistenceConfig{saveInterval=" + saveInterval + ", saveLease=" + saveLease
        + ", loadLease=" + loadLease + ", loadTimeout=" + loadTimeout
        + ", closeTimeout=" + closeTimeout + ", maxChangesPerSave=" + maxChangesPerSave
        + ", maxProjectsPerRound=" + maxProjectsPerRound + ", maxRetryDelay=" + maxRetryDelay
        + ", reconcileInterval=" + reconcileInterval + "}";
  }

  /** Builds a {@link PersistenceConfig}; every setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private Duration saveInterval = DEFAULT_SAVE_INTERVAL;
    private Duration saveLease = DEFAULT_SAVE_LEASE;
    private Duration loadLease = DEFAULT_LOAD_LEASE;
    private Duration loadTimeout = DEFAULT_LOAD_TIMEOUT;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private int maxChangesPerSave = DEFAULT_MAX_CHANGES_PER_SAVE;
    private int maxProjectsPerRound = DEFAULT_MAX_PROJECTS_PER_ROUND;
    private Duration maxRetryDelay = DEFAULT_MAX_RETRY_DELAY;
    private Duration reconcileInterval = DEFAULT_RECONCILE_INTERVAL;

    private Builder() {}

    private Builder(PersistenceConfig c) {
      saveInterval = c.saveInterval;
      saveLease = c.saveLease;
      loadLease = c.loadLease;
      loadTimeout = c.loadTimeout;
      closeTimeout = c.closeTimeout;
      maxChangesPerSave = c.maxChangesPerSave;
      maxProjectsPerRound = c.maxProjectsPerRound;
      maxRetryDelay = c.maxRetryDelay;
      reconcileInterval = c.reconcileInterval;
    }

    /** @throws IllegalArgumentException if not positive */
    public Builder saveInterval(Duration saveInterval) {
      this.saveInterval = positive("saveInterval", saveInterval);
      return this;
    }

    /** @throws IllegalArgumentException if shorter than a millisecond */
    public Builder saveLease(Duration saveLease) {
      this.saveLease = atLeastAMilli("saveLease", saveLease);
      return this;
    }

    /** @throws IllegalArgumentException if shorter than a millisecond */
    public Builder loadLease(Duration loadLease) {
      this.loadLease = atLeastAMilli("loadLease", loadLease);
      return this;
    }

    /** @throws IllegalArgumentException if not positive */
    public Builder loadTimeout(Duration loadTimeout) {
      this.loadTimeout = positive("loadTimeout", loadTimeout);
      return this;
    }

    /** @throws IllegalArgumentException if negative */
    public Builder closeTimeout(Duration closeTimeout) {
      requireNonNull(closeTimeout, "closeTimeout");
      if (closeTimeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
      }
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * The most changes one claim takes and one save carries: the chunk a project's backlog is
     * saved in, which bounds the work of each claim script.
     *
     * @throws IllegalArgumentException if less than 1 or more than {@link #MAX_CHANGES_PER_SAVE}
     */
    public Builder maxChangesPerSave(int maxChangesPerSave) {
      if (maxChangesPerSave > MAX_CHANGES_PER_SAVE) {
        throw new IllegalArgumentException("maxChangesPerSave must be at most "
            + MAX_CHANGES_PER_SAVE + ": " + maxChangesPerSave);
      }
      this.maxChangesPerSave = atLeastOne("maxChangesPerSave", maxChangesPerSave);
      return this;
    }

    /** @throws IllegalArgumentException if not positive */
    public Builder maxRetryDelay(Duration maxRetryDelay) {
      this.maxRetryDelay = positive("maxRetryDelay", maxRetryDelay);
      return this;
    }

    /** @throws IllegalArgumentException if not positive */
    public Builder reconcileInterval(Duration reconcileInterval) {
      this.reconcileInterval = positive("reconcileInterval", reconcileInterval);
      return this;
    }

    /** @throws IllegalArgumentException if less than 1 */
    public Builder maxProjectsPerRound(int maxProjectsPerRound) {
      this.maxProjectsPerRound = atLeastOne("maxProjectsPerRound", maxProjectsPerRound);
      return this;
    }

    /** The configuration these settings describe. */
    public PersistenceConfig build() {
      return new PersistenceConfig(this);
    }

    private static Duration positive(String name, Duration d) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    private static Duration atLeastAMilli(String name, Duration d) {
      requireNonNull(d, name);
      if (d.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException(name + " must be at least 1 ms: " + d);
      }
      return d;
    }

    private static int atLeastOne(String name, int n) {
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be at least 1: " + n);
      }
      return n;
    }
  }
}
