package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.redis.testing.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the demo's logic against a real Redis and checks the numbers it prints. */
class MultiInstanceDemoTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  @Test
  void run_mapsDisagreeButTheStoreAgrees_andTheChangeReachesTheOtherInstances() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    MultiInstanceDemo.Result result;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      result = MultiInstanceDemo.run(redis.configBuilder().build(), out);
    }

    String text = printed.toString(StandardCharsets.UTF_8);
    // Objects were created through instance A only: with per-instance maps only A has them.
    List<Integer> expectedMaps = IntStream.range(0, MultiInstanceDemo.REFRESHES)
        .mapToObj(i -> i % MultiInstanceDemo.INSTANCES == 0 ? MultiInstanceDemo.OBJECTS : 0)
        .toList();
    assertThat(result.mapCounts()).containsExactlyElementsOf(expectedMaps);
    assertThat(result.storeCounts()).containsExactlyElementsOf(
        Collections.nCopies(MultiInstanceDemo.REFRESHES, MultiInstanceDemo.OBJECTS));
    assertThat(text).contains("counts seen: " + joined(expectedMaps) + " -- DIFFERENT")
        .contains("counts seen: " + joined(result.storeCounts()) + " -- the SAME")
        .contains("refresh  2 -> instance B:  0 objects")
        .contains("refresh 20 -> instance B: 10 objects");

    assertThat(result.deliveries()).extracting(MultiInstanceDemo.Delivery::instance)
        .containsExactly("B", "C");
    for (MultiInstanceDemo.Delivery d : result.deliveries()) {
      assertThat(d.latency()).isPositive().isLessThan(Duration.ofSeconds(10));
      assertThat(d.fromInstanceId()).isNotBlank();
      assertThat(text).contains("instance " + d.instance() + " received \"put " + d.objectId()
          + "\" (from instance " + d.fromInstanceId() + ")");
    }
    assertThat(result.deliveries().get(0).fromInstanceId())
        .isEqualTo(result.deliveries().get(1).fromInstanceId());
  }

  private static String joined(List<Integer> counts) {
    return String.join(", ", counts.stream().map(String::valueOf).toList());
  }
}
