package io.canvasstate.examples;

import static java.util.Objects.requireNonNull;

import io.canvasstate.RoomConfig;
import io.canvasstate.StoreConfig;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.RedisStores;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The settings every example reads at startup, all of them, from one map: the environment
 * overlaid with the system properties (which win), as {@link RedisStores#fromEnv()} reads them.
 * Reading every group ({@code REDIS_*}, {@code CANVASSTATE_*}, {@code CANVASSTATE_FAILOVER_*},
 * {@code CANVASSTATE_SAVE_*}/{@code _LOAD_*}) means that an invalid value stops each example the
 * same way, with an {@link IllegalArgumentException} naming the setting, whether or not that
 * example uses it, and that Redis stores get the failover settings the environment names.
 * Immutable.
 *
 * @param settings the setting names and values read
 * @param store the Redis, lifetime and key settings
 * @param failover the failover decorator's thresholds, probe interval and limits
 * @param persistence the auto-save and read-through settings
 */
record Environment(
    Map<String, String> settings, StoreConfig store, FailoverConfig failover,
    PersistenceConfig persistence, RoomConfig rooms) {

  Environment {
    settings = Map.copyOf(settings);
    requireNonNull(store, "store");
    requireNonNull(failover, "failover");
    requireNonNull(persistence, "persistence");
    requireNonNull(rooms, "rooms");
  }

  /**
   * The settings of this process: its environment variables and system properties.
   *
   * @throws IllegalArgumentException naming the first setting whose value is invalid
   * @throws IllegalStateException if settings conflict
   */
  static Environment read() {
    Map<String, String> settings = new LinkedHashMap<>(System.getenv());
    Properties properties = System.getProperties();
    for (String name : properties.stringPropertyNames()) {
      settings.put(name, properties.getProperty(name));
    }
    return of(settings);
  }

  /**
   * The settings in {@code settings}, read as {@link #read()} reads the environment.
   *
   * @throws IllegalArgumentException naming the first setting whose value is invalid
   * @throws IllegalStateException if settings conflict
   */
  static Environment of(Map<String, String> settings) {
    return new Environment(settings, StoreConfig.from(settings), FailoverConfig.from(settings),
        PersistenceConfig.from(settings), RoomConfig.from(settings));
  }

  /** Whether {@code name} is set to a value that is not blank (blank counts as unset). */
  boolean isSet(String name) {
    String value = settings.get(name);
    return value != null && !value.isBlank();
  }

  /**
   * Redis stores for {@code store} (this environment's {@link #store()}, or one derived from it),
   * failing over as this environment's {@link #failover()} settings say: what
   * {@link RedisStores#fromEnv()} builds, with the example's own adjustments.
   *
   * @throws IllegalArgumentException if {@code store} names no Redis
   * @throws io.canvasstate.StoreException if the TLS check fails
   */
  RedisStores redisStores(StoreConfig store) {
    return RedisStores.create(store, failover);
  }
}
