package io.canvasstate.redis;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when this instance last refreshed something of each project (marked it active, or
 * slid its TTL on a read), so that a busy project is refreshed at most once per
 * {@code interval} instead of on every operation. Bounded: past
 * {@link #MAX_TRACKED} projects it forgets everything, which only costs a few extra marks.
 * Thread-safe.
 */
final class ActiveMarks {
  static final int MAX_TRACKED = 10_000;

  private final ConcurrentHashMap<String, Long> lastMarked = new ConcurrentHashMap<>();
  private final InstantSource clock;
  private final long intervalMillis;

  ActiveMarks(InstantSource clock, Duration interval) {
    this.clock = clock;
    this.intervalMillis = Math.max(1, interval.toMillis());
  }

  /**
   * Whether the project is due for a mark, recording that it is being marked now if so. A
   * caller whose mark then fails calls {@link #forget}.
   */
  boolean due(String projectId) {
    long now = clock.millis();
    Long last = lastMarked.get(projectId);
    if (last != null && now >= last && now - last < intervalMillis) {
      return false;
    }
    if (last == null && lastMarked.size() >= MAX_TRACKED) {
      lastMarked.clear();
    }
    lastMarked.put(projectId, now);
    return true;
  }

  /** Whether the project is due, as {@link #due} would say, without recording anything. */
  boolean isDue(String projectId) {
    long now = clock.millis();
    Long last = lastMarked.get(projectId);
    return last == null || now < last || now - last >= intervalMillis;
  }

  /** Records a mark made now regardless of the interval (the project was just created). */
  void marked(String projectId) {
    lastMarked.put(projectId, clock.millis());
  }

  /** Makes the project due again, after a failed mark or a clear. */
  void forget(String projectId) {
    lastMarked.remove(projectId);
  }
}
