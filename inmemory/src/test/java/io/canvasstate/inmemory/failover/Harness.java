package io.canvasstate.inmemory.failover;

import io.canvasstate.Codec;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.RecordingListener;
import io.canvasstate.failover.FailoverCanvasStore;
import io.canvasstate.failover.FailoverConfig;
import io.canvasstate.failover.FailoverPresenceStore;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.inmemory.FaultInjectingCanvasStore;
import io.canvasstate.inmemory.FaultInjectingPresenceStore;
import io.canvasstate.inmemory.Faults;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.inmemory.InMemoryPresenceStore;
import io.canvasstate.inmemory.ManualClock;
import java.util.function.UnaryOperator;

/**
 * Failover stores over the in-memory fake: a shared in-memory "Redis" that several instances can
 * use, each instance with its own {@link Faults} switch (its network to Redis), its own fallback
 * and a recording listener. Everything runs on one {@link ManualClock} and probes only when a
 * test calls {@link FailoverStore#probeNow()}: nothing sleeps.
 */
final class Harness {
  private Harness() {}

  /** The shared primary, standing for one Redis server. */
  static final class Redis {
    final ManualClock clock;
    final TtlPolicy ttl;
    final int maxValueBytes;
    final InMemoryCanvasStore<byte[]> canvas;
    final InMemoryPresenceStore<byte[]> presence;

    Redis(ManualClock clock, TtlPolicy ttl, int maxValueBytes) {
      this.clock = clock;
      this.ttl = ttl;
      this.maxValueBytes = maxValueBytes;
      this.canvas = InMemoryCanvasStore.builder(Codec.bytes()).clock(clock).ttl(ttl)
          .maxValueBytes(maxValueBytes).build();
      this.presence = InMemoryPresenceStore.builder(Codec.bytes()).clock(clock).ttl(ttl)
          .maxValueBytes(maxValueBytes).build();
    }

    Redis() {
      this(ManualClock.create(), TtlPolicy.DEFAULT, StoreConfig.DEFAULT_MAX_VALUE_BYTES);
    }

    /** An instance on this Redis with a manual probe and one probe to recover. */
    Instance instance() {
      return instance(b -> b);
    }

    Instance instance(UnaryOperator<FailoverConfig.Builder> config) {
      return new Instance(this, config.apply(FailoverConfig.builder().recoveryThreshold(1))
          .build(), false);
    }

    /** An instance that starts while its Redis is unreachable. */
    Instance instanceStartingDown(UnaryOperator<FailoverConfig.Builder> config) {
      return new Instance(this, config.apply(FailoverConfig.builder().recoveryThreshold(1))
          .build(), true);
    }

    /** What Redis holds for an object, as text. */
    String object(String projectId, String objectId) {
      return canvas.get(projectId, objectId).map(Harness::text).orElse(null);
    }

    String presenceOf(String userId) {
      return presence.get(userId).map(Harness::text).orElse(null);
    }
  }

  /** One application instance: failover stores over the shared Redis, on strings. */
  static final class Instance implements AutoCloseable {
    final Faults faults = Faults.create();
    final FlakyCanvasStore flaky;
    final FlakyPresenceStore flakyPresence;
    final FaultInjectingCanvasStore<byte[]> canvasPrimary;
    final FaultInjectingPresenceStore<byte[]> presencePrimary;
    final InMemoryCanvasStore<byte[]> canvasFallback;
    final InMemoryPresenceStore<byte[]> presenceFallback;
    final RecordingListener events = new RecordingListener();
    final FailoverStore failover;
    final FailoverCanvasStore<String> canvas;
    final FailoverPresenceStore<String> presence;

    Instance(Redis redis, FailoverConfig config, boolean startDown) {
      flaky = new FlakyCanvasStore(redis.canvas);
      flakyPresence = new FlakyPresenceStore(redis.presence);
      canvasPrimary = new FaultInjectingCanvasStore<>(flaky, faults);
      presencePrimary = new FaultInjectingPresenceStore<>(flakyPresence, faults);
      canvasFallback = InMemoryCanvasStore.builder(Codec.bytes()).clock(redis.clock)
          .ttl(redis.ttl).maxValueBytes(redis.maxValueBytes).build();
      presenceFallback = InMemoryPresenceStore.builder(Codec.bytes()).clock(redis.clock)
          .ttl(redis.ttl).maxValueBytes(redis.maxValueBytes).build();
      if (startDown) {
        faults.fail();
      }
      failover = FailoverStore.builder()
          .canvas(canvasPrimary, canvasFallback)
          .presence(presencePrimary, presenceFallback)
          .config(config)
          .clock(redis.clock)
          .ttl(redis.ttl)
          .backgroundProbe(false)
          .listener(events)
          .build();
      canvas = failover.canvas(Codec.string());
      presence = failover.presence(Codec.string());
    }

    /** Cuts this instance off from Redis and makes the next call fail over. */
    void cutOff() {
      faults.fail();
    }

    /** Reconnects and probes once (one probe recovers, with the harness's threshold). */
    FailoverState reconnect() {
      faults.recover();
      return failover.probeNow();
    }

    @Override
    public void close() {
      failover.close();
    }
  }

  static String text(byte[] b) {
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }
}
