package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
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
}
