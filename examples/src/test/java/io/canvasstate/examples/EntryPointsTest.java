package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.canvasstate.failover.FailoverConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example's {@code main} reads the same settings as {@code RedisStores.fromEnv()}: an
 * invalid value of any of them stops it at startup, naming the setting, before it opens a store,
 * a file or a port.
 */
class EntryPointsTest {
  private static final String PROBE_INTERVAL = "CANVASSTATE_FAILOVER_PROBE_INTERVAL";

  interface Main {
    void run(String[] args) throws Exception;
  }

  static Stream<Arguments> entryPoints() {
    return Stream.of(
        Arguments.of("QuickStart", (Main) QuickStart::main),
        Arguments.of("MultiInstanceDemo", (Main) MultiInstanceDemo::main),
        Arguments.of("CanvasServer", (Main) args -> CanvasServer.main(new String[] {"--port", "0"})),
        Arguments.of("FailoverDemo", (Main) FailoverDemo::main),
        Arguments.of("PersistenceExample", (Main) PersistenceExample::main));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entryPoints")
  void main_invalidFailoverSetting_failsAtStartupNamingIt(String name, Main main)
      throws InterruptedException {
    // A system property wins over the environment variable of the same name.
    String before = System.setProperty(PROBE_INTERVAL, "bogus");
    // Had a main ignored the setting, it would reach for this Redis (nothing listens on port 1)
    // rather than one on 6379: MultiInstanceDemo defaults to 127.0.0.1:6379.
    String url = System.setProperty("REDIS_URL", "redis://127.0.0.1:1");
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      // On its own thread, bounded: a main that ignored the setting would run (a server: forever).
      Future<?> run = executor.submit(() -> {
        main.run(new String[0]);
        return null;
      });
      Throwable thrown = catchThrowable(() -> run.get(30, TimeUnit.SECONDS));

      assertThat(thrown).as(name).isInstanceOf(ExecutionException.class);
      assertThat(thrown.getCause()).as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(PROBE_INTERVAL)
          .hasMessageContaining("bogus");
    } finally {
      executor.shutdownNow();
      executor.awaitTermination(10, TimeUnit.SECONDS);
      restore(PROBE_INTERVAL, before);
      restore("REDIS_URL", url);
    }
  }

  private static void restore(String name, @Nullable String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSettings")
  void of_invalidSettingOfAnyGroup_throwsNamingIt(String setting, String value) {
    assertThatThrownBy(() -> Environment.of(Map.of(setting, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(setting);
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        Arguments.of("REDIS_TIMEOUT", "soon"),
        Arguments.of("CANVASSTATE_FAILOVER_BATCH_SIZE", "many"),
        Arguments.of("CANVASSTATE_SAVE_INTERVAL", "often"));
  }

  @Test
  void of_failoverSettings_areReadAsFailoverConfigReadsThem() {
    Map<String, String> settings = Map.of(PROBE_INTERVAL, "250ms",
        "CANVASSTATE_FAILOVER_FAILURE_THRESHOLD", "3");

    Environment env = Environment.of(settings);

    assertThat(env.failover()).usingRecursiveComparison().isEqualTo(FailoverConfig.from(settings));
    assertThat(env.failover().probeInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(env.isSet(PROBE_INTERVAL)).isTrue();
    assertThat(env.isSet("CANVASSTATE_SAVE_INTERVAL")).isFalse();
  }
}
