package io.canvasstate.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.benchmarks.Report.Kind;
import io.canvasstate.benchmarks.Report.MemoryFigure;
import io.canvasstate.benchmarks.Report.Row;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ReportTest {

  @Test
  void median_oddAndEvenCounts_interpolates() {
    assertThat(Measurement.of("us/op", 3, 1, 2).median()).isEqualTo(2.0);
    assertThat(Measurement.of("us/op", 4, 1, 2, 3).median()).isEqualTo(2.5);
  }

  @Test
  void median_severalRounds_poolsEveryIteration() {
    Measurement m = Measurement.of("us/op", 1, 2, 3).plus(List.of(10.0, 11.0, 12.0));

    assertThat(m.median()).isEqualTo(6.5);
    assertThat(m.roundMedian(0)).isEqualTo(2.0);
    assertThat(m.roundMedian(1)).isEqualTo(11.0);
  }

  @Test
  void spread_iterations_isHalfTheInterquartileRange() {
    assertThat(Measurement.of("us/op", 1, 2, 3, 4, 5).spread()).isEqualTo(1.0);
  }

  @Test
  void measurement_emptyRound_isRejected() {
    assertThatThrownBy(() -> new Measurement("us/op", List.of(List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one score");
  }

  @Test
  void compare_atMostWithinTarget_isMet() {
    Row row = Report.compare("get", "lib", "raw", Measurement.of("us/op", 24, 24, 24),
        Measurement.of("us/op", 20, 20, 20), Kind.AT_MOST, 1.2);

    assertThat(row.ratio()).isEqualTo("1.20×");
    assertThat(row.target()).isEqualTo("≤ 1.20×");
    assertThat(row.met()).contains(true);
    assertThat(row.libraryScore()).isEqualTo("24.0 µs");
  }

  @Test
  void compare_atMostOverTarget_isNotMet() {
    Row row = Report.compare("put", "lib", "raw", Measurement.of("us/op", 25),
        Measurement.of("us/op", 20), Kind.AT_MOST, 1.2);

    assertThat(row.ratio()).isEqualTo("1.25×");
    assertThat(row.met()).contains(false);
  }

  @Test
  void compare_faster_showsLibraryOverBaselineAndTheSpeedup() {
    Row row = Report.compare("load", "getAll", "original", Measurement.of("us/op", 1000),
        Measurement.of("us/op", 25_000), Kind.FASTER, 20);

    assertThat(row.ratio()).isEqualTo("0.040 (25.0× faster)");
    assertThat(row.libraryScore()).isEqualTo("1.00 ms");
    assertThat(row.baselineScore()).isEqualTo("25.0 ms");
    assertThat(row.met()).contains(true);
  }

  @Test
  void compare_throughputShare_isAPercentage() {
    Row row = Report.share("16 threads", "lib", "redis-benchmark",
        Measurement.of("ops/s", 30_000), Measurement.of("ops/s", 60_000), 0.6);

    assertThat(row.ratio()).isEqualTo("50%");
    assertThat(row.target()).isEqualTo("≥ 60%");
    assertThat(row.libraryScore()).isEqualTo("30,000 ops/s");
    assertThat(row.met()).contains(false);
  }

  @Test
  void compare_severalRounds_showsTheRangeOfPerRoundRatios() {
    Measurement lib = Measurement.of("us/op", 22).plus(List.of(30.0));
    Measurement base = Measurement.of("us/op", 20).plus(List.of(25.0));

    Row row = Report.compare("get", "lib", "raw", lib, base, Kind.AT_MOST, 1.2);

    assertThat(row.ratio()).isEqualTo("1.16× (rounds 1.100–1.200)");
  }

  @Test
  void compare_missingSide_isNotRunAndHasNoVerdict() {
    Row row = Report.compare("get", "lib", "raw", null, Measurement.of("us/op", 20),
        Kind.AT_MOST, 1.2);

    assertThat(row.ratio()).isEqualTo("not run");
    assertThat(row.libraryScore()).isEqualTo("not run");
    assertThat(row.met()).isEmpty();
  }

  @Test
  void compare_noTarget_hasNoVerdict() {
    Row row = Report.compare("load", "getAll", "raw", Measurement.of("us/op", 30),
        Measurement.of("us/op", 20), Kind.AT_MOST, Double.NaN);

    assertThat(row.target()).isEqualTo("—");
    assertThat(row.met()).isEmpty();
  }

  @Test
  void flatness_timePerObject_comparesSlowestToFastest() {
    Map<Integer, @Nullable Measurement> byN = new LinkedHashMap<>();
    byN.put(100, Measurement.of("us/op", 100));
    byN.put(1_000, Measurement.of("us/op", 800));
    byN.put(10_000, Measurement.of("us/op", 9_000));
    Map<Integer, @Nullable Measurement> baseline = new LinkedHashMap<>();
    baseline.put(100, Measurement.of("us/op", 50));
    baseline.put(1_000, Measurement.of("us/op", 400));
    baseline.put(10_000, Measurement.of("us/op", 8_000));

    Row row = Report.flatness("per object", "getAll", "raw", byN, baseline, 1.5);

    assertThat(row.operation()).isEqualTo("per object, N = 100 / 1,000 / 10,000");
    assertThat(row.libraryScore()).isEqualTo("1.00 / 0.800 / 0.900 µs");
    assertThat(row.baselineScore()).isEqualTo("0.500 / 0.400 / 0.800 µs");
    assertThat(row.ratio()).isEqualTo("1.25× slowest / fastest per object (baseline 2.00×)");
    assertThat(row.met()).contains(true);
  }

  @Test
  void flatness_aSizeMissing_isNotRun() {
    Map<Integer, @Nullable Measurement> byN = new LinkedHashMap<>();
    byN.put(100, Measurement.of("us/op", 100));
    byN.put(1_000, null);

    Row row = Report.flatness("per object", "getAll", "raw", byN, byN, 1.5);

    assertThat(row.ratio()).isEqualTo("not run");
    assertThat(row.met()).isEmpty();
  }

  @Test
  void memory_usageOverJson_isJudgedAgainstTheTarget() {
    Row row = Report.memory(new MemoryFigure(1_000, 650_000, 500_000, 36_000, 760_000), 1.3);

    assertThat(row.ratio()).isEqualTo("1.30×");
    assertThat(row.met()).contains(true);
    assertThat(row.baseline()).contains("500,000 B");
  }

  @Test
  void key_parameters_areInNameOrder() {
    assertThat(Report.key("GetAllBench.getAllLibrary", "n=1000", "codec=raw"))
        .isEqualTo("GetAllBench.getAllLibrary codec=raw n=1000");
    assertThat(Report.key("PresenceBench.presencePutLibrary"))
        .isEqualTo("PresenceBench.presencePutLibrary");
  }

  @Test
  void markdown_rows_formAPipeTableWithVerdicts() {
    Report report = new Report(List.of(
        new Row("get", "lib", "raw", "1 µs", "1 µs", "1.00×", "≤ 1.20×", Optional.of(true)),
        new Row("put", "lib", "raw", "2 µs", "1 µs", "2.00×", "≤ 1.20×", Optional.of(false))));

    String md = report.markdown();

    assertThat(md.lines().toList()).hasSize(4);
    assertThat(md).contains("| get | lib | raw | 1 µs | 1 µs | 1.00× | ≤ 1.20× | yes |")
        .contains("| **no** |");
    assertThat(report.missed()).extracting(Row::operation).containsExactly("put");
  }

  @Test
  void build_nothingMeasured_everyRowNotRunAndNoneMissed() {
    Report report = Table.build(Map.of(), Map.of(), null);

    assertThat(report.rows()).isNotEmpty().allSatisfy(r -> assertThat(r.met()).isEmpty());
    assertThat(report.missed()).isEmpty();
  }

  @Test
  void build_libraryAndBaselineMeasured_fillsTheirRow() {
    Map<String, Measurement> results = Map.of(
        Report.key("CanvasOpsBench.getLibrary", "codec=raw"), Measurement.of("us/op", 30),
        Report.key("CanvasOpsBench.getRawHget", "codec=raw"), Measurement.of("us/op", 20));

    Report report = Table.build(results, Map.of(), null);

    assertThat(report.missed()).extracting(Row::operation)
        .containsExactly("get one object (raw codec)");
  }

  @Test
  void parseRps_commandWithCommasAndQuotes_readsTheRpsField() {
    List<String> csv = List.of(
        "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
            + "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"",
        "\"HSET h f {\"a\":\"b, c\",\"d\":1}\",\"58309.04\",\"0.149\",\"0.040\",\"0.143\","
            + "\"0.199\",\"0.343\",\"2.151\"");

    assertThat(RedisBenchmarkCommands.parseRps(csv)).contains(58309.04);
  }

  @Test
  void parseRps_noDataLine_isEmpty() {
    assertThat(RedisBenchmarkCommands.parseRps(List.of("\"test\",\"rps\"", ""))).isEmpty();
  }

  @Test
  void parse_monitorLineWithEscapes_unescapesEachArgument() {
    String line = "1764158000.123456 [0 127.0.0.1:50000] \"HSET\" \"k\" \"f\" "
        + "\"{\\\"a\\\":\\\"\\xc3\\xa9\\\\n\\\"}\"";

    List<byte[]> args = RedisBenchmarkCommands.parse(line);

    assertThat(args).hasSize(4);
    assertThat(new String(args.get(0), UTF_8)).isEqualTo("HSET");
    assertThat(new String(args.get(3), UTF_8)).isEqualTo("{\"a\":\"é\\n\"}");
  }
}
