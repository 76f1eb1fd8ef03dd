package io.canvasstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TtlPolicyTest {

  @Test
  void defaults_areAnHourAndFiveMinutes() {
    assertThat(TtlPolicy.DEFAULT.canvasTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(TtlPolicy.DEFAULT.presenceTtl()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void with_oneLifetime_changesOnlyThatOne() {
    TtlPolicy p = TtlPolicy.DEFAULT.withCanvasTtl(Duration.ofSeconds(1))
        .withPresenceTtl(Duration.ofMillis(1));

    assertThat(p).isEqualTo(new TtlPolicy(Duration.ofSeconds(1), Duration.ofMillis(1)));
  }

  @Test
  void constructor_lifetimeUnderOneMillisecond_throwsIllegalArgumentNamingIt() {
    assertThatThrownBy(() -> new TtlPolicy(Duration.ZERO, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("canvasTtl");
    assertThatThrownBy(() -> new TtlPolicy(Duration.ofMinutes(1), Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("presenceTtl");
    assertThatThrownBy(() -> new TtlPolicy(Duration.ofSeconds(-1), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TtlPolicy(null, Duration.ofMinutes(1)))
        .isInstanceOf(NullPointerException.class);
  }
}
