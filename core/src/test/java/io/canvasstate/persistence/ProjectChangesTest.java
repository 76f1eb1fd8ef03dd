package io.canvasstate.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProjectChangesTest {
  @Test
  void constructor_idBothUpsertedAndDeleted_throwsNamingIt() {
    assertThatThrownBy(() -> new ProjectChanges<>("p", 1, Map.of("a", "{}"), Set.of("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"a\"")
        .hasMessageContaining("\"p\"");
  }

  @Test
  void constructor_badIdsOrNegativeFence_throwNamingThem() {
    assertThatThrownBy(() -> new ProjectChanges<>("a:b", 1, Map.of(), Set.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("projectId");
    assertThatThrownBy(() -> new ProjectChanges<>("p", 1, Map.of("{x}", "{}"), Set.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("objectId");
    assertThatThrownBy(() -> new ProjectChanges<>("p", 1, Map.of(), Set.of("")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("objectId");
    assertThatThrownBy(() -> new ProjectChanges<>("p", -1, Map.of(), Set.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void constructor_callerChangesItsCollectionsAfterwards_changesStayAsGiven() {
    Map<String, String> upserts = new HashMap<>(Map.of("a", "{}"));
    Set<String> deletes = new HashSet<>(Set.of("b"));
    ProjectChanges<String> changes = new ProjectChanges<>("p", 3, upserts, deletes);

    upserts.put("c", "{}");
    deletes.add("d");

    assertThat(changes.upserts()).containsOnlyKeys("a");
    assertThat(changes.deletes()).containsExactly("b");
    assertThat(changes.size()).isEqualTo(2);
    assertThat(changes).hasToString("ProjectChanges[p, fence=3, 1 upserts, 1 deletes]");
  }
}
