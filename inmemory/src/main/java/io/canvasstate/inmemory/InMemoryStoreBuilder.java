package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.internal.InstanceIds;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.Function;

/**
 * Builds an in-memory store: {@link InMemoryCanvasStore#builder} and
 * {@link InMemoryPresenceStore#builder} return one.
 *
 * <pre>{@code
 * InMemoryCanvasStore<Shape> store = InMemoryCanvasStore.builder(JacksonCodec.of(Shape.class))
 *     .clock(ManualClock.create())
 *     .ttl(TtlPolicy.DEFAULT)
 *     .maxValueBytes(64 * 1024)
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe.
 *
 * @param <S> the type of the store it builds
 */
public final class InMemoryStoreBuilder<S> {
  private final Function<InMemoryStoreBuilder<S>, S> factory;
  private InstantSource clock = InstantSource.system();
  private TtlPolicy ttl = TtlPolicy.DEFAULT;
  private int maxValueBytes = StoreConfig.DEFAULT_MAX_VALUE_BYTES;
  private int maxCanvasObjects = StoreConfig.DEFAULT_MAX_CANVAS_OBJECTS;
  private String instanceId = InstanceIds.random();
  private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;

  /** How often a presence store with listeners looks for expired presences: one second. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(1);

  InMemoryStoreBuilder(Function<InMemoryStoreBuilder<S>, S> factory) {
    this.factory = factory;
  }

  /** The clock that lifetimes follow; the system clock by default. */
  public InMemoryStoreBuilder<S> clock(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock");
    return this;
  }

  /** The lifetimes; {@link TtlPolicy#DEFAULT} by default. */
  public InMemoryStoreBuilder<S> ttl(TtlPolicy ttl) {
    this.ttl = requireNonNull(ttl, "ttl");
    return this;
  }

  /**
   * The largest encoded value accepted, in bytes;
   * {@link StoreConfig#DEFAULT_MAX_VALUE_BYTES} by default.
   *
   * @throws IllegalArgumentException if it is less than 1
   */
  public InMemoryStoreBuilder<S> maxValueBytes(int maxValueBytes) {
    if (maxValueBytes < 1) {
      throw new IllegalArgumentException("maxValueBytes must be at least 1: " + maxValueBytes);
    }
    this.maxValueBytes = maxValueBytes;
    return this;
  }

  /**
   * The most objects one project's canvas may hold (canvas stores only);
   * {@link StoreConfig#DEFAULT_MAX_CANVAS_OBJECTS} by default. A write that would add an object
   * past it throws {@link io.canvasstate.CanvasTooLargeException}.
   *
   * @throws IllegalArgumentException if it is less than 1
   */
  public InMemoryStoreBuilder<S> maxCanvasObjects(int maxCanvasObjects) {
    if (maxCanvasObjects < 1) {
      throw new IllegalArgumentException("maxCanvasObjects must be at least 1: "
          + maxCanvasObjects);
    }
    this.maxCanvasObjects = maxCanvasObjects;
    return this;
  }

  /**
   * The id put on the events the store originates ({@link io.canvasstate.CanvasStore#instanceId});
   * a random one by default. A failover decorator may give its fallback the primary's id, so
   * that echoes look the same from both.
   *
   * @throws IllegalArgumentException if it is not a valid id
   */
  public InMemoryStoreBuilder<S> instanceId(String instanceId) {
    this.instanceId = InstanceIds.require(instanceId);
    return this;
  }

  /**
   * For a presence store: how often, in real time, it looks for expired presences while it has
   * listeners, so that an expiry produces its {@code left} event although nobody reads;
   * {@link #DEFAULT_SWEEP_INTERVAL} by default. A canvas store ignores it.
   *
   * @throws IllegalArgumentException if it is not positive
   */
  public InMemoryStoreBuilder<S> sweepInterval(Duration sweepInterval) {
    requireNonNull(sweepInterval, "sweepInterval");
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("sweepInterval must be positive: " + sweepInterval);
    }
    this.sweepInterval = sweepInterval;
    return this;
  }

  /** Builds the store. */
  public S build() {
    return factory.apply(this);
  }

  InstantSource clock() {
    return clock;
  }

  TtlPolicy ttl() {
    return ttl;
  }

  int maxValueBytes() {
    return maxValueBytes;
  }

  int maxCanvasObjects() {
    return maxCanvasObjects;
  }

  String instanceId() {
    return instanceId;
  }

  Duration sweepInterval() {
    return sweepInterval;
  }
}
