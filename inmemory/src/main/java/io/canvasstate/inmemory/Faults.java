package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The switch that makes {@link FaultInjectingCanvasStore} and {@link FaultInjectingPresenceStore}
 * fail or slow down, for testing what code does when its store is unreachable. One switch may
 * control several decorators, as one Redis outage hits both stores.
 *
 * <pre>{@code
 * Faults faults = Faults.create();
 * CanvasStore<Shape> primary = new FaultInjectingCanvasStore<>(InMemoryCanvasStore.create(codec), faults);
 * faults.fail();        // every call now throws StoreUnavailableException("injected: ...")
 * faults.recover();     // calls go through again
 * faults.failNext(2);   // the next two calls fail, then calls go through
 * faults.latency(Duration.ofMillis(50));  // every call first waits 50 ms
 * }</pre>
 *
 * <p>A failed call never reaches the decorated store: it is a connection refused, not a lost
 * reply. {@code close()} is never failed. Thread-safe: a test thread may flip the switch while
 * other threads make calls; a call sees the state at the moment it starts.
 */
public final class Faults {
  /** The failure {@link #fail()} and {@link #failNext} inject. */
  private static final Function<String, RuntimeException> UNAVAILABLE =
      operation -> new StoreUnavailableException("injected: " + operation + " failed");

  private volatile @Nullable Function<String, ? extends RuntimeException> failing;
  private volatile Function<String, ? extends RuntimeException> nextFailure = UNAVAILABLE;
  private final AtomicInteger failNext = new AtomicInteger();
  private volatile Duration latency = Duration.ZERO;
  private final LongAdder injected = new LongAdder();

  private Faults() {}

  /** A switch in the healthy position: no failures, no latency. */
  public static Faults create() {
    return new Faults();
  }

  /**
   * Makes every call fail with a {@link io.canvasstate.StoreUnavailableException} whose message
   * starts with {@code "injected: "} and names the operation, until {@link #recover()}.
   *
   * @return this switch
   */
  public Faults fail() {
    return failWith(UNAVAILABLE);
  }

  /**
   * Makes every call fail with the exception {@code failure} makes from the operation's name
   * (such as {@code "canvas.put"}), until {@link #recover()}; for failures other than an outage,
   * such as a plain {@link io.canvasstate.StoreException}.
   *
   * @return this switch
   */
  public Faults failWith(Function<String, ? extends RuntimeException> failure) {
    this.failing = requireNonNull(failure, "failure");
    return this;
  }

  /**
   * Makes the next {@code calls} calls fail as {@link #fail()} does; later calls go through.
   * Replaces an earlier count.
   *
   * @return this switch
   * @throws IllegalArgumentException if {@code calls} is negative
   */
  public Faults failNext(int calls) {
    return failNext(calls, UNAVAILABLE);
  }

  /**
   * Makes the next {@code calls} calls fail with the exception {@code failure} makes.
   *
   * @return this switch
   * @throws IllegalArgumentException if {@code calls} is negative
   */
  public Faults failNext(int calls, Function<String, ? extends RuntimeException> failure) {
    if (calls < 0) {
      throw new IllegalArgumentException("calls must not be negative: " + calls);
    }
    this.nextFailure = requireNonNull(failure, "failure");
    failNext.set(calls);
    return this;
  }

  /**
   * Lets calls through again: ends {@link #fail()} and cancels what is left of
   * {@link #failNext}. Leaves the latency as it is.
   *
   * @return this switch
   */
  public Faults recover() {
    failing = null;
    failNext.set(0);
    return this;
  }

  /**
   * Makes every call wait {@code delay} before it runs (or fails), as a slow network would;
   * {@link Duration#ZERO} for none. The wait is a real sleep of the calling thread.
   *
   * @return this switch
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public Faults latency(Duration delay) {
    requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative: " + delay);
    }
    this.latency = delay;
    return this;
  }

  /** Whether calls fail now: {@link #fail()} is on, or {@link #failNext} has calls left. */
  public boolean isFailing() {
    return failing != null || failNext.get() > 0;
  }

  /** How many calls this switch has failed so far. */
  public long injectedFailures() {
    return injected.sum();
  }

  /**
   * Applies the switch to one call: waits for the latency, then throws if calls fail now. The
   * decorators call it first thing; a decorator of your own may too.
   *
   * @param operation the call's name, for the exception message, such as {@code "canvas.get"}
   * @throws StoreUnavailableException (or the exception given to {@link #failWith}) if the call
   *     fails, or if the thread is interrupted while it waits
   */
  public void beforeCall(String operation) {
    Duration delay = latency;
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreUnavailableException("injected: " + operation + " interrupted", e);
      }
    }
    Function<String, ? extends RuntimeException> failure = failing;
    if (failure == null && failNext.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
      failure = nextFailure;
    }
    if (failure != null) {
      injected.increment();
      throw failure.apply(operation);
    }
  }

  @Override
  public String toString() {
    return "Faults[failing=" + (failing != null) + ", failNext=" + failNext.get()
        + ", latency=" + latency + "]";
  }
}
