package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it, for testing lifetimes without sleeping.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.create();
 * CanvasStore<Shape> store = InMemoryCanvasStore.builder(codec).clock(clock).build();
 * store.put("p1", "o1", shape);
 * clock.advance(Duration.ofHours(2));
 * assertThat(store.get("p1", "o1")).isEmpty();
 * }</pre>
 *
 * <p>Thread-safe: any thread may read or move it.
 */
public final class ManualClock implements InstantSource {
  /** Where {@link #create()} starts: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;

  private ManualClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  /** A clock at {@link #DEFAULT_START}. */
  public static ManualClock create() {
    return new ManualClock(DEFAULT_START);
  }

  /** A clock at {@code start}. */
  public static ManualClock at(Instant start) {
    return new ManualClock(requireNonNull(start, "start"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * Moves the clock forward.
   *
   * @return the new time
   * @throws IllegalArgumentException if {@code duration} is negative (use {@link #set} to go back)
   */
  public Instant advance(Duration duration) {
    requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative: " + duration);
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  /** Sets the time, forward or back. */
  public void set(Instant instant) {
    now.set(requireNonNull(instant, "instant"));
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
