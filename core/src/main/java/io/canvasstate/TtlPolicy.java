package io.canvasstate;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long state lives without being touched. Both lifetimes slide: every read or write of a
 * project (or a user's presence) starts its lifetime again, in the same round trip as the
 * operation.
 *
 * <p>A whole project expires as a unit: objects of a canvas that is still being edited never
 * vanish one by one.
 *
 * @param canvasTtl how long a project lives after its last read or write; at least 1 ms
 * @param presenceTtl how long a user's presence lives after their last heartbeat; at least 1 ms
 */
public record TtlPolicy(Duration canvasTtl, Duration presenceTtl) {
  /** One hour, as the original backend used for canvas objects. */
  public static final Duration DEFAULT_CANVAS_TTL = Duration.ofHours(1);
  /** Five minutes, as the original backend used for presence. */
  public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofMinutes(5);
  /** {@link #DEFAULT_CANVAS_TTL} and {@link #DEFAULT_PRESENCE_TTL}. */
  public static final TtlPolicy DEFAULT = new TtlPolicy(DEFAULT_CANVAS_TTL, DEFAULT_PRESENCE_TTL);

  /**
   * Validates the lifetimes.
   *
   * @throws IllegalArgumentException if a lifetime is shorter than one millisecond
   */
  public TtlPolicy {
    requireNonNull(canvasTtl, "canvasTtl");
    requireNonNull(presenceTtl, "presenceTtl");
    requireAtLeastOneMilli("canvasTtl", canvasTtl);
    requireAtLeastOneMilli("presenceTtl", presenceTtl);
  }

  /** This policy with another canvas lifetime. */
  public TtlPolicy withCanvasTtl(Duration canvasTtl) {
    return new TtlPolicy(canvasTtl, presenceTtl);
  }

  /** This policy with another presence lifetime. */
  public TtlPolicy withPresenceTtl(Duration presenceTtl) {
    return new TtlPolicy(canvasTtl, presenceTtl);
  }

  private static void requireAtLeastOneMilli(String name, Duration ttl) {
    if (ttl.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(name + " must be at least 1 ms: " + ttl);
    }
  }
}
