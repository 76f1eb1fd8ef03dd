package io.canvasstate.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PersistenceConfigTest {
  @Test
  void defaults_areTheDocumentedOnes() {
    PersistenceConfig c = PersistenceConfig.DEFAULT;

    assertThat(c.saveInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.saveLease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.loadLease()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.loadTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxChangesPerSave()).isEqualTo(500);
    assertThat(c.maxProjectsPerRound()).isEqualTo(1000);
  }

  @Test
  void toBuilder_changedSetting_keepsTheOthers() {
    PersistenceConfig c = PersistenceConfig.builder().saveLease(Duration.ofSeconds(7))
        .maxChangesPerSave(9).build();

    PersistenceConfig d = c.toBuilder().saveInterval(Duration.ofMillis(250)).build();

    assertThat(d.saveInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(d.saveLease()).isEqualTo(Duration.ofSeconds(7));
    assertThat(d.maxChangesPerSave()).isEqualTo(9);
    assertThat(d.toString()).contains("saveInterval=PT0.25S", "saveLease=PT7S");
  }

  @Test
  void from_everyVariable_setsItsSetting() {
    PersistenceConfig c = PersistenceConfig.from(Map.of(
        "CANVASSTATE_SAVE_INTERVAL", "2s",
        "CANVASSTATE_SAVE_LEASE", "1m",
        "CANVASSTATE_SAVE_BATCH_SIZE", "50",
        "CANVASSTATE_SAVE_MAX_PROJECTS", "70",
        "CANVASSTATE_SAVE_CLOSE_TIMEOUT", "0s",
        "CANVASSTATE_LOAD_LEASE", "1500ms",
        "CANVASSTATE_LOAD_TIMEOUT", "PT4S",
        "UNRELATED", "x"));

    assertThat(c.saveInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.saveLease()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.maxChangesPerSave()).isEqualTo(50);
    assertThat(c.maxProjectsPerRound()).isEqualTo(70);
    assertThat(c.closeTimeout()).isZero();
    assertThat(c.loadLease()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.loadTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(PersistenceConfig.from(Map.of("CANVASSTATE_SAVE_LEASE", " ")).saveLease())
        .as("blank is unset").isEqualTo(PersistenceConfig.DEFAULT_SAVE_LEASE);
  }

  @Test
  void from_badValues_throwNamingTheVariable() {
    assertThatThrownBy(() -> PersistenceConfig.from(Map.of("CANVASSTATE_SAVE_INTERVAL", "soon")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("CANVASSTATE_SAVE_INTERVAL").hasMessageContaining("soon");
    assertThatThrownBy(() -> PersistenceConfig.from(Map.of("CANVASSTATE_SAVE_BATCH_SIZE", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("CANVASSTATE_SAVE_BATCH_SIZE").hasMessageContaining("at least 1");
    assertThatThrownBy(() -> PersistenceConfig.from(Map.of("CANVASSTATE_LOAD_LEASE", "0ms")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("CANVASSTATE_LOAD_LEASE");
  }

  @Test
  void setters_badValues_throwNamingTheSetting() {
    PersistenceConfig.Builder b = PersistenceConfig.builder();

    assertThatThrownBy(() -> b.saveInterval(Duration.ZERO)).hasMessageContaining("saveInterval");
    assertThatThrownBy(() -> b.saveLease(Duration.ofNanos(10))).hasMessageContaining("saveLease");
    assertThatThrownBy(() -> b.loadLease(Duration.ofSeconds(-1))).hasMessageContaining("loadLease");
    assertThatThrownBy(() -> b.loadTimeout(Duration.ZERO)).hasMessageContaining("loadTimeout");
    assertThatThrownBy(() -> b.closeTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("closeTimeout");
    assertThatThrownBy(() -> b.maxChangesPerSave(0)).hasMessageContaining("maxChangesPerSave");
    assertThatThrownBy(() -> b.maxProjectsPerRound(0)).hasMessageContaining("maxProjectsPerRound");
    assertThat(b.closeTimeout(Duration.ZERO).build().closeTimeout()).isZero();
  }
}
