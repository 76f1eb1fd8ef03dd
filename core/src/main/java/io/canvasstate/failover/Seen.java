package io.canvasstate.failover;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the primary may hold for one object or user, as far as this instance knows: the value
 * the latest recorded operation saw or wrote (empty: nothing), and, when operations on it
 * overlapped so that this instance cannot tell which reached the primary last, the values the
 * others saw or wrote. Not thread-safe: the local copies guard it.
 */
final class Seen {
  /** How many values an object keeps when operations on it keep overlapping. */
  static final int MAX_CANDIDATES = 8;

  private Optional<byte[]> latest;
  private List<Optional<byte[]>> others = List.of();
  /** The copy's write counter when this was last recorded. */
  long seq;

  Seen(Optional<byte[]> latest, long seq) {
    this.latest = latest;
    this.seq = seq;
  }

  /**
   * Records what an operation that started when the copy's counter was {@code mark} saw or
   * wrote: if another operation on this object was recorded since, either may be the last one
   * the primary applied, so both values are kept.
   */
  void record(Optional<byte[]> value, long mark, long newSeq) {
    if (seq > mark) {
      others = union(latest, others);
    } else {
      others = List.of();
    }
    latest = value;
    seq = newSeq;
  }

  /** Everything has possibly been replaced by nothing (a clear that overlapped an operation). */
  void maybeCleared(long newSeq) {
    others = union(latest, others);
    latest = Optional.empty();
    seq = newSeq;
  }

  private List<Optional<byte[]>> union(Optional<byte[]> value, List<Optional<byte[]>> list) {
    List<Optional<byte[]>> out = new ArrayList<>(Math.min(list.size() + 1, MAX_CANDIDATES));
    out.add(value);
    for (Optional<byte[]> v : list) {
      if (out.size() == MAX_CANDIDATES - 1) {
        break;
      }
      if (!Journal.same(v, value)) {
        out.add(v);
      }
    }
    return out;
  }

  Optional<byte[]> latest() {
    return latest;
  }

  /** Every value the primary may hold, the latest recorded first. */
  List<Optional<byte[]>> candidates() {
    if (others.isEmpty()) {
      return List.of(latest);
    }
    List<Optional<byte[]>> out = new ArrayList<>(others.size() + 1);
    out.add(latest);
    out.addAll(others);
    return out;
  }
}
