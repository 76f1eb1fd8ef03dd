package io.canvasstate.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one benchmark measured: its score in each measurement iteration, grouped by round (one
 * JMH fork per round). Immutable.
 *
 * @param unit JMH's unit, such as {@code us/op} or {@code ops/s}
 * @param rounds the iteration scores of each round
 */
record Measurement(String unit, List<List<Double>> rounds) {
  Measurement {
    if (rounds.isEmpty() || rounds.stream().anyMatch(List::isEmpty)) {
      throw new IllegalArgumentException("a measurement needs at least one score per round");
    }
    rounds = rounds.stream().map(List::copyOf).toList();
  }

  static Measurement of(String unit, double... scores) {
    List<Double> one = new ArrayList<>();
    for (double s : scores) {
      one.add(s);
    }
    return new Measurement(unit, List.of(one));
  }

  /** This measurement with another round's scores added. */
  Measurement plus(List<Double> round) {
    List<List<Double>> all = new ArrayList<>(rounds);
    all.add(round);
    return new Measurement(unit, all);
  }

  /** The median of every iteration's score, all rounds together. */
  double median() {
    return quantile(all(), 0.5);
  }

  /** Half the interquartile range of every iteration's score: the spread shown as ±. */
  double spread() {
    double[] all = all();
    return (quantile(all, 0.75) - quantile(all, 0.25)) / 2;
  }

  /** The median of one round's scores. */
  double roundMedian(int round) {
    return quantile(rounds.get(round).stream().mapToDouble(Double::doubleValue).toArray(), 0.5);
  }

  private double[] all() {
    return rounds.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).toArray();
  }

  /** Linear-interpolated quantile q (0..1) of the values. */
  static double quantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
}
