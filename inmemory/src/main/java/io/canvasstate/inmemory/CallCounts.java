package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many times each method of a fault-injecting decorator has been called, failed calls
 * included. Methods are counted by name: overloads share one count ({@code "remove"} counts both
 * {@code remove} methods of a canvas store). Thread-safe.
 */
public final class CallCounts {
  private final String prefix;
  private final Faults faults;
  private final ConcurrentHashMap<String, LongAdder> calls = new ConcurrentHashMap<>();

  CallCounts(String prefix, Faults faults) {
    this.prefix = prefix;
    this.faults = requireNonNull(faults, "faults");
  }

  /** How many times {@code method} has been called; 0 if never. */
  public long get(String method) {
    LongAdder n = calls.get(requireNonNull(method, "method"));
    return n == null ? 0 : n.sum();
  }

  /** The counts so far, by method name, sorted by name; methods never called are left out. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((method, n) -> out.put(method, n.sum()));
    return Collections.unmodifiableMap(out);
  }

  /** Sets every count back to zero. */
  public void reset() {
    calls.clear();
  }

  @Override
  public String toString() {
    return "CallCounts" + snapshot();
  }

  /** Counts a call of {@code method}, then lets the faults fail or delay it. */
  void enter(String method) {
    count(method);
    faults.beforeCall(prefix + method);
  }

  /** Counts a call that faults never touch. */
  void count(String method) {
    calls.computeIfAbsent(method, m -> new LongAdder()).increment();
  }
}
