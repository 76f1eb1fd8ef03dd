package io.canvasstate.micrometer;

import io.canvasstate.CodecException;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one wrapped store: a timer per operation and outcome, error counters by kind,
 * and the meters of the events its listeners receive. Thread-safe.
 */
final class Operations {
  private final MeterRegistry meters;
  private final Tags tags;
  private final boolean histograms;
  private final Timer listenerTime;

  Operations(MeterRegistry meters, Tags common, String store, String name, boolean histograms) {
    this.meters = meters;
    this.tags = common.and("store", store, "name", name);
    this.histograms = histograms;
    this.listenerTime = Timer.builder(CanvasStateMetrics.PREFIX + "events.listener.duration")
        .description("time a listener took on one event; later events of the same"
            + " subscription wait for it")
        .tags(tags).publishPercentileHistogram(histograms).register(meters);
  }

  /** The meters of one operation, made once per wrapped store. */
  Op op(String operation) {
    return new Op(operation);
  }

  /** Counts one event delivered to a listener, by type, and a resync by reason. */
  void event(String type, @org.jspecify.annotations.Nullable Enum<?> resyncReason) {
    Counter.builder(CanvasStateMetrics.PREFIX + "events.delivered")
        .description("change events delivered to listeners, by type")
        .tags(tags).tag("type", type)
        .register(meters).increment();
    if (resyncReason != null) {
      Counter.builder(CanvasStateMetrics.PREFIX + "events.resyncs")
          .description("resync events (events may have been missed), by reason")
          .tags(tags).tag("reason", CanvasStateMetrics.lower(resyncReason))
          .register(meters).increment();
    }
  }

  /** Records how long a listener took. */
  void listenerTook(long nanos) {
    listenerTime.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The error kind of a failed call: a small fixed set, never the message. */
  static String kind(RuntimeException e) {
    if (e instanceof StoreUnavailableException) {
      return "unavailable";
    }
    if (e instanceof CodecException) {
      return "codec";
    }
    if (e instanceof StoreException) {
      return "store";
    }
    if (e instanceof IllegalArgumentException || e instanceof NullPointerException) {
      return "invalid_argument";
    }
    if (e instanceof IllegalStateException) {
      return "illegal_state";
    }
    return "other";
  }

  /** The meters of one operation. */
  final class Op {
    private final String operation;
    private final Timer success;
    private final Timer error;

    private Op(String operation) {
      this.operation = operation;
      this.success = timer("success");
      this.error = timer("error");
    }

    private Timer timer(String outcome) {
      return Timer.builder(CanvasStateMetrics.PREFIX + "operations")
          .description("store calls, by store, operation and outcome")
          .tags(tags).tag("operation", operation).tag("outcome", outcome)
          .publishPercentileHistogram(histograms)
          .register(meters);
    }

    /** Records a call that returned, started at {@code start} ({@link System#nanoTime()}). */
    void succeeded(long start) {
      success.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** Records a call that threw {@code e}; returns {@code e} for the caller to rethrow. */
    RuntimeException failed(long start, RuntimeException e) {
      error.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      Counter.builder(CanvasStateMetrics.PREFIX + "errors")
          .description("store calls that threw, by kind")
          .tags(tags).tag("operation", operation).tag("kind", kind(e))
          .register(meters).increment();
      return e;
    }
  }

  static String type(Object event) {
    return event.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }
}
