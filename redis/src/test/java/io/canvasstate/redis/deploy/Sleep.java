package io.canvasstate.redis.deploy;

import java.time.Duration;

/** Lets real time pass, for TTL tests against a real Redis. */
final class Sleep {
  private Sleep() {}

  /** Sleeps at least {@code duration}, even if interrupted early (the interrupt is kept). */
  static void atLeast(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    boolean interrupted = false;
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      try {
        Thread.sleep(Math.max(1, left / 1_000_000), (int) (left % 1_000_000));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
