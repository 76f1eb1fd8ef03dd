package io.canvasstate.inmemory.failover;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.TtlPolicy;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.inmemory.FaultInjectingCanvasStore;
import io.canvasstate.inmemory.FaultInjectingPresenceStore;
import io.canvasstate.inmemory.Faults;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.inmemory.InMemoryPresenceStore;
import io.canvasstate.inmemory.ManualClock;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Failover stores for the contract suites, over in-memory primaries and fallbacks on one manual
 * clock, either healthy (the primary answers) or failed over (the primary refuses every call
 * from the start). Remembers which in-memory store holds each view's values in that state, for
 * the suites' {@code writeEncoded} hook.
 */
final class ContractStores {
  final ManualClock clock = ManualClock.create();
  private final boolean failedOver;
  private final Map<Object, InMemoryCanvasStore<byte[]>> canvasHolders = new IdentityHashMap<>();
  private final Map<Object, InMemoryPresenceStore<byte[]>> presenceHolders =
      new IdentityHashMap<>();

  ContractStores(boolean failedOver) {
    this.failedOver = failedOver;
  }

  private FailoverStore.Builder builder(Faults faults, TtlPolicy ttl) {
    if (failedOver) {
      faults.fail();
    }
    return FailoverStore.builder().clock(clock).ttl(ttl).backgroundProbe(false)
        .config(FailoverConfig.builder().recoveryThreshold(1).build());
  }

  private FailoverStore check(FailoverStore store) {
    FailoverState expected = failedOver ? FailoverState.FAILED_OVER : FailoverState.HEALTHY;
    if (store.state() != expected) {
      throw new AssertionError("expected " + expected + ", was " + store.state());
    }
    return store;
  }

  <T> CanvasStore<T> canvas(Codec<T> codec, TtlPolicy ttl, int maxValueBytes,
      Consumer<AutoCloseable> closeAfterTest) {
    Faults faults = Faults.create();
    InMemoryCanvasStore<byte[]> primary = InMemoryCanvasStore.builder(Codec.bytes()).clock(clock)
        .ttl(ttl).maxValueBytes(maxValueBytes).build();
    InMemoryCanvasStore<byte[]> fallback = InMemoryCanvasStore.builder(Codec.bytes())
        .clock(clock).ttl(ttl).maxValueBytes(maxValueBytes).build();
    FailoverStore failover = check(builder(faults, ttl)
        .canvas(new FaultInjectingCanvasStore<>(primary, faults), fallback).build());
    closeAfterTest.accept(failover);
    CanvasStore<T> store = failover.canvas(codec);
    canvasHolders.put(store, failedOver ? fallback : primary);
    return store;
  }

  <P> PresenceStore<P> presence(Codec<P> codec, TtlPolicy ttl, int maxValueBytes,
      Consumer<AutoCloseable> closeAfterTest) {
    Faults faults = Faults.create();
    InMemoryPresenceStore<byte[]> primary = InMemoryPresenceStore.builder(Codec.bytes())
        .clock(clock).ttl(ttl).maxValueBytes(maxValueBytes).build();
    InMemoryPresenceStore<byte[]> fallback = InMemoryPresenceStore.builder(Codec.bytes())
        .clock(clock).ttl(ttl).maxValueBytes(maxValueBytes).build();
    FailoverStore failover = check(builder(faults, ttl)
        .presence(new FaultInjectingPresenceStore<>(primary, faults), fallback).build());
    closeAfterTest.accept(failover);
    PresenceStore<P> store = failover.presence(codec);
    presenceHolders.put(store, failedOver ? fallback : primary);
    return store;
  }

  void writeEncoded(CanvasStore<?> store, String projectId, String objectId, byte[] bytes) {
    canvasHolders.get(store).putEncoded(projectId, objectId, bytes);
  }

  void writeEncoded(PresenceStore<?> store, String userId, byte[] bytes) {
    presenceHolders.get(store).putEncoded(userId, bytes);
  }
}
