package io.canvasstate.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManualClockTest {

  @Test
  void create_noArguments_startsAtDefaultStartAndStandsStill() {
    ManualClock clock = ManualClock.create();

    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
    assertThat(clock.millis()).isEqualTo(ManualClock.DEFAULT_START.toEpochMilli());
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
  }

  @Test
  void advance_positiveDuration_movesForwardAndReturnsNewTime() {
    ManualClock clock = ManualClock.at(Instant.EPOCH);

    assertThat(clock.advance(Duration.ofMillis(1500))).isEqualTo(Instant.ofEpochMilli(1500));
    clock.advance(Duration.ZERO);

    assertThat(clock.millis()).isEqualTo(1500);
  }

  @Test
  void advance_negativeDuration_throwsIllegalArgumentAndStays() {
    ManualClock clock = ManualClock.at(Instant.EPOCH);

    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-1S");
    assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void set_earlierInstant_movesBack() {
    ManualClock clock = ManualClock.create();

    clock.set(Instant.EPOCH);

    assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
    assertThat(clock).hasToString("ManualClock[1970-01-01T00:00:00Z]");
  }

  @Test
  void advance_fromManyThreads_losesNoStep() throws InterruptedException {
    ManualClock clock = ManualClock.at(Instant.EPOCH);
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 1_000; i++) {
          clock.advance(Duration.ofMillis(1));
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }

    assertThat(clock.millis()).isEqualTo(4_000);
  }

  @Test
  void factories_nullArgument_throwNullPointer() {
    assertThatThrownBy(() -> ManualClock.at(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ManualClock.create().advance(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ManualClock.create().set(null))
        .isInstanceOf(NullPointerException.class);
  }
}
