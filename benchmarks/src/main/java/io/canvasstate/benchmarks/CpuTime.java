package io.canvasstate.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CPU time a benchmark thread spent in each iteration, as the JMH secondary result
 * {@code cpuNanos}: for CPU-bound benchmarks on a shared machine, where the wall time of an
 * iteration depends on how often other processes took the core away. The suite divides it by
 * the iteration's operations. Used by one benchmark thread; not thread-safe.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU nanoseconds of this iteration; public for JMH, which reports it. */
  public long cpuNanos;
  private long start;

  @Setup(Level.Iteration)
  public void start() {
    cpuNanos = 0;
    start = THREADS.getCurrentThreadCpuTime();
  }

  @TearDown(Level.Iteration)
  public void stop() {
    cpuNanos = THREADS.getCurrentThreadCpuTime() - start;
  }
}
