package io.canvasstate.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanTest {

  @Test
  void order_oddRound_isReversed() {
    Plan.Group group = new Plan.Group(CanvasOpsBench.class, Map.of("codec", "raw"),
        List.of("getLibrary", "getRawHget", "getRawGetexOriginalLayout"));

    assertThat(group.order(0)).containsExactly("getLibrary", "getRawHget",
        "getRawGetexOriginalLayout");
    assertThat(group.order(1)).containsExactly("getRawGetexOriginalLayout", "getRawHget",
        "getLibrary");
  }

  @Test
  void all_everyGroup_holdsALibraryBenchmarkAndItsBaseline() {
    assertThat(Plan.all(false).groups())
        .allSatisfy(g -> assertThat(g.methods()).hasSizeGreaterThan(1));
  }

  @Test
  void all_quick_leavesOutOnlyRowsWithoutATarget() {
    List<Plan.Group> full = Plan.all(false).groups();
    List<Plan.Group> quick = Plan.all(true).groups();

    assertThat(quick).hasSize(full.size() - 2);
    assertThat(quick).noneMatch(g -> g.methods().contains("threads16GetRawHget"));
    assertThat(quick).filteredOn(g -> g.type() == GetAllBench.class)
        .allSatisfy(g -> assertThat(g.methods().contains("getAllRawOriginalLayout"))
            .isEqualTo(g.params().get("n").equals("1000")));
  }

  @Test
  void matching_aClass_keepsItsGroupsOnly() {
    Plan plan = Plan.all(false).matching("InMemoryBench");

    assertThat(plan.groups()).isNotEmpty().allMatch(g -> g.type() == InMemoryBench.class);
  }

  @Test
  void matching_redisBenchmarkAlone_matchesNothing() {
    assertThat(Plan.all(false).matching("redis-benchmark").groups()).isEmpty();
  }
}
