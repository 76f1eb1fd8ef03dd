package io.canvasstate.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses the values of settings read from the environment or system properties, naming the
 * setting in every error. Shared by {@code StoreConfig} and {@code FailoverConfig}. Not API.
 */
public final class SettingValues {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private SettingValues() {}

  /** The environment overlaid with the system properties (which win), as one map. */
  public static Map<String, String> environment() {
    Map<String, String> settings = new LinkedHashMap<>(System.getenv());
    Properties props = System.getProperties();
    for (String name : props.stringPropertyNames()) {
      settings.put(name, props.getProperty(name));
    }
    return settings;
  }

  /** The value of a setting, or null if it is missing or blank. */
  public static @Nullable String get(Map<String, String> settings, String name) {
    String v = settings.get(name);
    return v == null || v.isBlank() ? null : v;
  }

  /**
   * Parses {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601.
   *
   * @throws IllegalArgumentException naming the setting
   */
  public static Duration parseDuration(String name, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(v);
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      return Duration.parse(value.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(name + " must be a duration with a unit, such as 500ms,"
          + " 2s, 5m or 1h: \"" + value + "\"");
    }
  }

  /**
   * Parses {@code true/false}, {@code 1/0}, {@code yes/no} or {@code on/off}.
   *
   * @throws IllegalArgumentException naming the setting
   */
  public static boolean parseBoolean(String name, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new IllegalArgumentException(
          name + " must be true or false: \"" + value + "\"");
    };
  }

  /**
   * Parses a whole number.
   *
   * @throws IllegalArgumentException naming the setting
   */
  public static int parseInt(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number: \"" + value + "\"");
    }
  }
}
