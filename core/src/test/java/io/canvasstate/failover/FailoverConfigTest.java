package io.canvasstate.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverConfigTest {
  @Test
  void default_everySetting_matchesItsConstant() {
    FailoverConfig c = FailoverConfig.DEFAULT;

    assertThat(c.failureThreshold()).isEqualTo(FailoverConfig.DEFAULT_FAILURE_THRESHOLD);
    assertThat(c.recoveryThreshold()).isEqualTo(FailoverConfig.DEFAULT_RECOVERY_THRESHOLD);
    assertThat(c.probeInterval()).isEqualTo(FailoverConfig.DEFAULT_PROBE_INTERVAL);
    assertThat(c.writeBackBatchSize()).isEqualTo(FailoverConfig.DEFAULT_WRITE_BACK_BATCH_SIZE);
    assertThat(c.outageBufferLimit()).isEqualTo(FailoverConfig.DEFAULT_OUTAGE_BUFFER_LIMIT);
    assertThat(c.localCopyLimit()).isEqualTo(FailoverConfig.DEFAULT_LOCAL_COPY_LIMIT);
  }

  @Test
  void toBuilder_changeOneSetting_keepsTheOthers() {
    FailoverConfig c = FailoverConfig.builder().probeInterval(Duration.ofMillis(250))
        .outageBufferLimit(7).build();

    FailoverConfig d = c.toBuilder().writeBackBatchSize(3).build();

    assertThat(d.probeInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(d.outageBufferLimit()).isEqualTo(7);
    assertThat(d.writeBackBatchSize()).isEqualTo(3);
    assertThat(c.writeBackBatchSize()).isEqualTo(FailoverConfig.DEFAULT_WRITE_BACK_BATCH_SIZE);
  }

  @Test
  void from_everySetting_readsIt() {
    FailoverConfig c = FailoverConfig.from(Map.of(
        "CANVASSTATE_FAILOVER_FAILURE_THRESHOLD", "3",
        "CANVASSTATE_FAILOVER_RECOVERY_THRESHOLD", " 4 ",
        "CANVASSTATE_FAILOVER_PROBE_INTERVAL", "250ms",
        "CANVASSTATE_FAILOVER_BATCH_SIZE", "50",
        "CANVASSTATE_FAILOVER_BUFFER_LIMIT", "1000",
        "CANVASSTATE_FAILOVER_LOCAL_COPY_LIMIT", "0",
        "UNRELATED", "x"));

    assertThat(c.failureThreshold()).isEqualTo(3);
    assertThat(c.recoveryThreshold()).isEqualTo(4);
    assertThat(c.probeInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.writeBackBatchSize()).isEqualTo(50);
    assertThat(c.outageBufferLimit()).isEqualTo(1000);
    assertThat(c.localCopyLimit()).isZero();
  }

  @Test
  void from_blankValue_keepsDefault() {
    assertThat(FailoverConfig.from(Map.of("CANVASSTATE_FAILOVER_BATCH_SIZE", "  "))
        .writeBackBatchSize()).isEqualTo(FailoverConfig.DEFAULT_WRITE_BACK_BATCH_SIZE);
  }

  @Test
  void from_badValues_nameTheSetting() {
    assertThatThrownBy(() -> FailoverConfig.from(
        Map.of("CANVASSTATE_FAILOVER_PROBE_INTERVAL", "soon")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CANVASSTATE_FAILOVER_PROBE_INTERVAL").hasMessageContaining("soon");
    assertThatThrownBy(() -> FailoverConfig.from(
        Map.of("CANVASSTATE_FAILOVER_BUFFER_LIMIT", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CANVASSTATE_FAILOVER_BUFFER_LIMIT").hasMessageContaining("0");
    assertThatThrownBy(() -> FailoverConfig.from(
        Map.of("CANVASSTATE_FAILOVER_FAILURE_THRESHOLD", "many")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CANVASSTATE_FAILOVER_FAILURE_THRESHOLD");
  }

  @Test
  void builder_outOfRange_throwsNamingTheValue() {
    assertThatThrownBy(() -> FailoverConfig.builder().probeInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("probeInterval");
    assertThatThrownBy(() -> FailoverConfig.builder().writeBackBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeBackBatchSize");
    assertThatThrownBy(() -> FailoverConfig.builder().recoveryThreshold(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> FailoverConfig.builder().localCopyLimit(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("localCopyLimit");
  }
}
