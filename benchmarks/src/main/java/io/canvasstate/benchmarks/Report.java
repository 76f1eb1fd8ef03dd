package io.canvasstate.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The ratio table: each library operation beside its baseline from the same run, the ratio
 * library / baseline of their medians, and the target it must meet. Immutable.
 *
 * @param rows the table's rows, in order
 */
record Report(List<Row> rows) {
  Report {
    rows = List.copyOf(rows);
  }

  /** How a row's ratio is judged against its target. */
  enum Kind {
    /** Times: library / baseline must be at most the target. */
    AT_MOST,
    /** Times: baseline / library (how many times faster) must be at least the target. */
    FASTER,
    /** Throughputs: library / baseline must be at least the target. */
    AT_LEAST
  }

  /**
   * One line of the table, formatted.
   *
   * @param met whether the target holds; empty for a row without a target or not measured
   */
  record Row(String operation, String library, String baseline, String libraryScore,
      String baselineScore, String ratio, String target, Optional<Boolean> met) {}

  /**
   * The key under which the suite files a benchmark's measurement: the class's simple name, the
   * method, and the parameters in name order, such as
   * {@code GetAllBench.getAllLibrary codec=raw n=1000}.
   */
  static String key(String benchmark, Map<String, String> params) {
    StringBuilder b = new StringBuilder(benchmark);
    new TreeMap<>(params).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    return b.toString();
  }

  static String key(String benchmark, String... params) {
    Map<String, String> m = new TreeMap<>();
    for (String p : params) {
      int eq = p.indexOf('=');
      m.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return key(benchmark, m);
  }

  /** A row comparing two measurements. */
  static Row compare(String operation, String library, String baseline,
      @Nullable Measurement lib, @Nullable Measurement base, Kind kind, double target) {
    String targetText = Double.isNaN(target) ? "—" : switch (kind) {
      case AT_MOST -> "≤ " + num(target) + "×";
      case FASTER -> "≥ " + num(target) + "× faster";
      case AT_LEAST -> "≥ " + Math.round(target * 100) + "%";
    };
    if (lib == null || base == null) {
      return new Row(operation, library, baseline, score(lib), score(base), "not run", targetText,
          Optional.empty());
    }
    double ratio = lib.median() / base.median();
    String range = roundRange(lib, base);
    String ratioText = switch (kind) {
      case AT_MOST -> num(ratio) + "×" + range;
      case FASTER ->
          String.format(Locale.ROOT, "%.3f (%s× faster)%s", ratio, num(1 / ratio), range);
      case AT_LEAST -> Math.round(ratio * 100) + "%" + range;
    };
    Optional<Boolean> met = Double.isNaN(target) ? Optional.empty() : Optional.of(switch (kind) {
      case AT_MOST -> ratio <= target;
      case FASTER -> 1 / ratio >= target;
      case AT_LEAST -> ratio >= target;
    });
    return new Row(operation, library, baseline, score(lib), score(base), ratioText, targetText,
        met);
  }

  /**
   * A row on how the time per object of a canvas load changes with its size: the largest time
   * per object over the smallest, which must be at most {@code target}; the baseline's, for
   * comparison.
   *
   * @param byN the library's measurement at each size (µs per load), in size order
   * @param baselineByN the baseline's, at the same sizes
   */
  static Row flatness(String operation, String library, String baseline,
      Map<Integer, @Nullable Measurement> byN, Map<Integer, @Nullable Measurement> baselineByN,
      double target) {
    PerObject lib = PerObject.of(byN);
    PerObject base = PerObject.of(baselineByN);
    String ns = String.join(" / ", byN.keySet().stream().map(Report::count).toList());
    String targetText = "≤ " + num(target) + "×";
    if (lib.spread() == null) {
      return new Row(operation + ", N = " + ns, library, baseline, lib.text(), base.text(),
          "not run", targetText, Optional.empty());
    }
    double ratio = lib.spread();
    String ratioText = num(ratio) + "× slowest / fastest per object"
        + (base.spread() == null ? "" : " (baseline " + num(base.spread()) + "×)");
    return new Row(operation + ", N = " + ns, library, baseline, lib.text(), base.text(),
        ratioText, targetText, Optional.of(ratio <= target));
  }

  /** Times per object at each size, and the slowest over the fastest (null if one is missing). */
  private record PerObject(String text, @Nullable Double spread) {
    static PerObject of(Map<Integer, @Nullable Measurement> byN) {
      List<String> each = new ArrayList<>();
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      boolean all = true;
      for (Map.Entry<Integer, @Nullable Measurement> e : byN.entrySet()) {
        Measurement m = e.getValue();
        if (m == null) {
          each.add("n/a");
          all = false;
          continue;
        }
        double t = m.median() / e.getKey();
        each.add(num(t));
        min = Math.min(min, t);
        max = Math.max(max, t);
      }
      return new PerObject(String.join(" / ", each) + " µs", all ? max / min : null);
    }
  }

  /** The Redis memory row: MEMORY USAGE of a project over the JSON bytes it holds. */
  static Row memory(MemoryFigure m, double target) {
    double ratio = (double) m.usage() / m.jsonBytes();
    return new Row("Redis memory, " + count(m.objects()) + "-object project",
        "`MEMORY USAGE` of its hash: " + count(m.usage()) + " B",
        "the JSON values it holds: " + count(m.jsonBytes()) + " B (+ " + count(m.idBytes())
            + " B of ids)",
        count(m.usage()) + " B", count(m.jsonBytes()) + " B", num(ratio) + "×",
        "≤ " + num(target) + "×", Optional.of(ratio <= target));
  }

  /** A row comparing throughputs, such as the library's against redis-benchmark's. */
  static Row share(String operation, String library, String baseline, @Nullable Measurement lib,
      @Nullable Measurement base, double target) {
    return compare(operation, library, baseline, lib, base, Kind.AT_LEAST, target);
  }

  /** The table in Markdown, with a legend line above it. */
  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("| operation | library | baseline | library score | baseline score"
        + " | library / baseline | target | met |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      b.append("| ").append(r.operation())
          .append(" | ").append(r.library())
          .append(" | ").append(r.baseline())
          .append(" | ").append(r.libraryScore())
          .append(" | ").append(r.baselineScore())
          .append(" | ").append(r.ratio())
          .append(" | ").append(r.target())
          .append(" | ").append(r.met().map(m -> m ? "yes" : "**no**").orElse("—"))
          .append(" |\n");
    }
    return b.toString();
  }

  /** Rows with a target that is not met. */
  List<Row> missed() {
    return rows.stream().filter(r -> r.met().isPresent() && !r.met().get()).toList();
  }

  private static String roundRange(Measurement lib, Measurement base) {
    int rounds = Math.min(lib.rounds().size(), base.rounds().size());
    if (rounds < 2) {
      return "";
    }
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (int r = 0; r < rounds; r++) {
      double ratio = lib.roundMedian(r) / base.roundMedian(r);
      min = Math.min(min, ratio);
      max = Math.max(max, ratio);
    }
    return String.format(Locale.ROOT, " (rounds %.3f–%.3f)", min, max);
  }

  /** A score with its spread and a readable unit: {@code 24.1 ± 0.6 µs}, {@code 1.23 ms}. */
  static String score(@Nullable Measurement m) {
    if (m == null) {
      return "not run";
    }
    double value = m.median();
    double spread = m.spread();
    String unit = m.unit();
    if (unit.equals("ops/s")) {
      return count(Math.round(value)) + (spread > 0 ? " ± " + count(Math.round(spread)) : "")
          + " ops/s";
    }
    String suffix = "";
    if (unit.endsWith(" CPU")) {
      unit = unit.substring(0, unit.length() - 4);
      suffix = " CPU";
    }
    String base = unit.endsWith("/op") ? unit.substring(0, unit.length() - 3) : unit;
    if (base.equals("us") && value >= 1000) {
      value /= 1000;
      spread /= 1000;
      base = "ms";
    }
    String shown = switch (base) {
      case "us" -> "µs";
      default -> base;
    };
    return num(value) + (spread > 0 ? " ± " + num(spread) : "") + " " + shown + suffix;
  }

  /** Three significant digits, at most. */
  static String num(double v) {
    if (v >= 100) {
      return count(Math.round(v));
    }
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (v >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /**
   * Redis memory of a project.
   *
   * @param objects how many objects the project holds
   * @param usage {@code MEMORY USAGE} of its hash, in bytes
   * @param jsonBytes the bytes of the JSON values it holds
   * @param idBytes the bytes of the object ids (the hash's fields)
   * @param originalLayoutUsage {@code MEMORY USAGE} of the same objects in the original
   *     one-string-per-object layout plus its id set, in bytes
   */
  record MemoryFigure(int objects, long usage, long jsonBytes, long idBytes,
      long originalLayoutUsage) {}
}
