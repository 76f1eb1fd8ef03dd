package io.canvasstate.inmemory;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts a decorator's calls per method and applies its {@link Faults}. Thread-safe. */
final class CallCounts {
  private final String prefix;
  private final Faults faults;
  private final ConcurrentHashMap<String, LongAdder> calls = new ConcurrentHashMap<>();

  CallCounts(String prefix, Faults faults) {
    this.prefix = prefix;
    this.faults = faults;
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

  long get(String method) {
    LongAdder n = calls.get(method);
    return n == null ? 0 : n.sum();
  }

  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((method, n) -> out.put(method, n.sum()));
    return Collections.unmodifiableMap(out);
  }

  void reset() {
    calls.clear();
  }
}
