package io.canvasstate.dynamodb;

import static java.util.Objects.requireNonNull;

import io.canvasstate.internal.SettingValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where and how a {@link DynamoDbCanvasRepository} reaches DynamoDB: the table, the region, an
 * endpoint for a local server, and how hard it tries. Build it, or read it from the environment
 * with {@link #fromEnv()}:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>variable</th><th>builder</th><th>default</th></tr>
 *   <tr><td>{@code DYNAMODB_TABLE}</td><td>{@link Builder#table}</td>
 *       <td>{@value #DEFAULT_TABLE}</td></tr>
 *   <tr><td>{@code AWS_REGION}</td><td>{@link Builder#region}</td>
 *       <td>the SDK's region chain (also {@code aws.region}, the profile)</td></tr>
 *   <tr><td>{@code DYNAMODB_ENDPOINT}</td><td>{@link Builder#endpoint}</td>
 *       <td>AWS' endpoint of the region</td></tr>
 *   <tr><td>{@code DYNAMODB_CREATE_TABLE}</td><td>{@link Builder#createTable}</td>
 *       <td>false</td></tr>
 *   <tr><td>{@code DYNAMODB_WRITE_CONCURRENCY}</td><td>{@link Builder#writeConcurrency}</td>
 *       <td>16</td></tr>
 *   <tr><td>{@code DYNAMODB_MAX_ATTEMPTS}</td><td>{@link Builder#maxAttempts}</td><td>5</td></tr>
 *   <tr><td>{@code DYNAMODB_TIMEOUT}</td><td>{@link Builder#timeout}</td><td>5s</td></tr>
 *   <tr><td>{@code DYNAMODB_TOMBSTONE_RETENTION}</td><td>{@link Builder#tombstoneRetention}</td>
 *       <td>7d</td></tr>
 * </table>
 *
 * <p>Credentials are not settings of this class: the repository's client takes them from the
 * SDK's default credential chain (environment, system properties, profile, container or
 * instance role), and nothing here holds, logs or prints them. Immutable and thread-safe.
 */
public final class DynamoDbConfig {
  /** The table's name unless another is given. */
  public static final String DEFAULT_TABLE = "canvas_objects";
  /** How many conditional writes of one save run at once by default. */
  public static final int DEFAULT_WRITE_CONCURRENCY = 16;
  /** How many times a request is tried by default (the first attempt included). */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  /** How long one attempt of a request may take by default (connecting included). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** How long a deleted object's tombstone is kept by default. */
  public static final Duration DEFAULT_TOMBSTONE_RETENTION = Duration.ofDays(7);
  /** The defaults. */
  public static final DynamoDbConfig DEFAULT = builder().build();

  private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_.-]{3,255}");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");

  private final String table;
  private final @Nullable String region;
  private final @Nullable URI endpoint;
  private final boolean createTable;
  private final int writeConcurrency;
  private final int maxAttempts;
  private final Duration timeout;
  private final Duration tombstoneRetention;

  private DynamoDbConfig(Builder b) {
    this.table = b.table;
    this.region = b.region;
    this.endpoint = b.endpoint;
    this.createTable = b.createTable;
    this.writeConcurrency = b.writeConcurrency;
    this.maxAttempts = b.maxAttempts;
    this.timeout = b.timeout;
    this.tombstoneRetention = b.tombstoneRetention;
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
  public static DynamoDbConfig fromEnv() {
    return from(SettingValues.environment());
  }

  /**
   * Reads the settings from a map of variable names to values, as {@link #fromEnv()} does.
   * Unknown names are ignored; blank values count as unset.
   *
   * @throws IllegalArgumentException naming the variable whose value is invalid
   */
  public static DynamoDbConfig from(Map<String, String> settings) {
    requireNonNull(settings, "settings");
    Builder b = builder();
    set(settings, "DYNAMODB_TABLE", v -> b.table(v.trim()));
    set(settings, "AWS_REGION", v -> b.region(v.trim()));
    set(settings, "DYNAMODB_ENDPOINT", v -> b.endpoint(parseUri(v.trim())));
    set(settings, "DYNAMODB_CREATE_TABLE",
        v -> b.createTable(SettingValues.parseBoolean("DYNAMODB_CREATE_TABLE", v)));
    set(settings, "DYNAMODB_WRITE_CONCURRENCY",
        v -> b.writeConcurrency(SettingValues.parseInt("DYNAMODB_WRITE_CONCURRENCY", v)));
    set(settings, "DYNAMODB_MAX_ATTEMPTS",
        v -> b.maxAttempts(SettingValues.parseInt("DYNAMODB_MAX_ATTEMPTS", v)));
    set(settings, "DYNAMODB_TIMEOUT",
        v -> b.timeout(SettingValues.parseDuration("DYNAMODB_TIMEOUT", v)));
    set(settings, "DYNAMODB_TOMBSTONE_RETENTION", v -> b.tombstoneRetention(
        SettingValues.parseDuration("DYNAMODB_TOMBSTONE_RETENTION", v)));
    return b.build();
  }

  /** Passes a set variable to a setter, putting its name in front of a message that lacks it. */
  private static void set(Map<String, String> settings, String name, Consumer<String> setter) {
    String v = SettingValues.get(settings, name);
    if (v == null) {
      return;
    }
    try {
      setter.accept(v);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      if (message.startsWith(name)) {
        throw e;
      }
      throw new IllegalArgumentException(name + ": " + message, e);
    }
  }

  private static URI parseUri(String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("must be a URL such as http://127.0.0.1:8000: \""
          + redact(value) + "\"", e);
    }
  }

  private static void checkEndpoint(String name, URI uri) {
    if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null
        || uri.getUserInfo() != null) {
      throw new IllegalArgumentException(name + " must be an http(s) URL with a host and no user"
          + " info, such as http://127.0.0.1:8000: \"" + redact(uri.toString()) + "\"");
    }
  }

  /** The URL with any user info (which may hold a secret) masked. */
  private static String redact(String url) {
    return url.replaceFirst("//[^/@]*@", "//****@");
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The table's name. */
  public String table() {
    return table;
  }

  /** The region, if one was set; else the SDK's region chain decides. */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /** The endpoint of a DynamoDB-compatible server, if one was set; else AWS' own. */
  public Optional<URI> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /** Whether the repository creates the table (on-demand billing) when it does not exist. */
  public boolean createTable() {
    return createTable;
  }

  /** How many conditional writes of one save run at once. */
  public int writeConcurrency() {
    return writeConcurrency;
  }

  /** How many times one request is tried, with exponential backoff between the attempts. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** How long one attempt of a request may take, connecting included. */
  public Duration timeout() {
    return timeout;
  }

  /** How long a deleted object's tombstone is kept before it may be purged. */
  public Duration tombstoneRetention() {
    return tombstoneRetention;
  }

  @Override
  public String toString() {
    return "DynamoDbConfig{table=" + table + ", region=" + (region == null ? "(SDK chain)" : region)
        + ", endpoint=" + (endpoint == null ? "(AWS)" : endpoint) + ", createTable=" + createTable
        + ", writeConcurrency=" + writeConcurrency + ", maxAttempts=" + maxAttempts
        + ", timeout=" + timeout + ", tombstoneRetention=" + tombstoneRetention + "}";
  }

  /** Builds a {@link DynamoDbConfig}; every setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private String table = DEFAULT_TABLE;
    private @Nullable String region;
    private @Nullable URI endpoint;
    private boolean createTable;
    private int writeConcurrency = DEFAULT_WRITE_CONCURRENCY;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration tombstoneRetention = DEFAULT_TOMBSTONE_RETENTION;

    private Builder() {}

    private Builder(DynamoDbConfig c) {
      table = c.table;
      region = c.region;
      endpoint = c.endpoint;
      createTable = c.createTable;
      writeConcurrency = c.writeConcurrency;
      maxAttempts = c.maxAttempts;
      timeout = c.timeout;
      tombstoneRetention = c.tombstoneRetention;
    }

    /**
     * The table's name; {@value #DEFAULT_TABLE} by default.
     *
     * @throws IllegalArgumentException if it is not a DynamoDB table name (3 to 255 letters,
     *     digits, {@code _}, {@code -} or {@code .})
     */
    public Builder table(String table) {
      requireNonNull(table, "table");
      if (!TABLE.matcher(table).matches()) {
        throw new IllegalArgumentException("table must be 3 to 255 letters, digits, '_', '-' or"
            + " '.': \"" + table + "\"");
      }
      this.table = table;
      return this;
    }

    /**
     * The AWS region, such as {@code eu-west-1}.
     *
     * @throws IllegalArgumentException if it is not a region name (lower-case letters, digits,
     *     dashes)
     */
    public Builder region(String region) {
      requireNonNull(region, "region");
      if (!REGION.matcher(region).matches()) {
        throw new IllegalArgumentException("region must be a region name such as eu-west-1: \""
            + region + "\"");
      }
      this.region = region;
      return this;
    }

    /**
     * The endpoint of a DynamoDB-compatible server (a local one in tests), such as
     * {@code http://127.0.0.1:8000}.
     *
     * @throws IllegalArgumentException if it is not an http(s) URL with a host, or carries user
     *     info
     */
    public Builder endpoint(URI endpoint) {
      requireNonNull(endpoint, "endpoint");
      checkEndpoint("endpoint", endpoint);
      this.endpoint = endpoint;
      return this;
    }

    /** Whether the repository creates the table if it does not exist; false by default. */
    public Builder createTable(boolean createTable) {
      this.createTable = createTable;
      return this;
    }

    /** @throws IllegalArgumentException if less than 1 or more than 256 */
    public Builder writeConcurrency(int writeConcurrency) {
      if (writeConcurrency < 1 || writeConcurrency > 256) {
        throw new IllegalArgumentException("writeConcurrency must be 1 to 256: "
            + writeConcurrency);
      }
      this.writeConcurrency = writeConcurrency;
      return this;
    }

    /** @throws IllegalArgumentException if less than 1 or more than 20 */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 20) {
        throw new IllegalArgumentException("maxAttempts must be 1 to 20: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** @throws IllegalArgumentException if shorter than 10 ms */
    public Builder timeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("timeout must be at least 10 ms: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * How long tombstones are kept; it must be far longer than any save can take, lease and
     * pauses included (see {@link DynamoDbCanvasRepository#purgeTombstones}).
     *
     * @throws IllegalArgumentException if shorter than a minute
     */
    public Builder tombstoneRetention(Duration tombstoneRetention) {
      requireNonNull(tombstoneRetention, "tombstoneRetention");
      if (tombstoneRetention.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new IllegalArgumentException("tombstoneRetention must be at least a minute: "
            + tombstoneRetention);
      }
      this.tombstoneRetention = tombstoneRetention;
      return this;
    }

    /** Builds the configuration. */
    public DynamoDbConfig build() {
      return new DynamoDbConfig(this);
    }
  }
}
