package io.canvasstate.benchmarks;

/**
 * Positions 0 to size - 1, round and round: which object a benchmark call works on, so that the
 * library and its baseline visit the same objects in the same order. Not thread-safe.
 */
final class Cycle {
  private final int size;
  private int next;

  Cycle(int size, int start) {
    this.size = size;
    this.next = start % size;
  }

  Cycle(int size) {
    this(size, 0);
  }

  int next() {
    int i = next;
    next = i + 1 == size ? 0 : i + 1;
    return i;
  }
}
