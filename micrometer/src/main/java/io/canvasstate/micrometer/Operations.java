package io.canvasstate.micrometer;

import io.canvasstate.CodecException;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one wrapped store: a timer per operation and outcome, error counters by kind,
 * and the meters of the events its listeners receive. Thread-safe.
 */
final class Operations {
  private final Registries meters;
  private final Tags tags;
  private final boolean histograms;
  private final Timers listenerTime = new Timers();
  private final Timers deliveryLag = new Timers();

  Operations(Registries meters, Tags common, String store, String name, boolean histograms) {
    this.meters = meters;
    this.tags = common.and("store", store, "name", name);
    this.histograms = histograms;
    meters.each(r -> Timer.builder(CanvasStateMetrics.PREFIX + "events.listener.duration")
        .description("time a listener took on one event; later events of the same"
            + " subscription wait for it")
        .tags(tags).publishPercentileHistogram(histograms).register(r), listenerTime::add);
    meters.each(r -> Timer.builder(CanvasStateMetrics.PREFIX + "events.delivery.lag")
        .description("from the start of a put through this store to the delivery of its change"
            + " event to this store's listener")
        .tags(tags).publishPercentileHistogram(histograms).register(r), deliveryLag::add);
  }

  /** The meters of one operation, made once per wrapped store. */
  Op op(String operation) {
    return new Op(operation);
  }

  /** Counts one event delivered to a listener, by type, and a resync by reason. */
  void event(String type, @Nullable Enum<?> resyncReason) {
    for (MeterRegistry r : meters.bound()) {
      Counter.builder(CanvasStateMetrics.PREFIX + "events.delivered")
          .description("change events delivered to listeners, by type")
          .tags(tags).tag("type", type)
          .register(r).increment();
      if (resyncReason != null) {
        Counter.builder(CanvasStateMetrics.PREFIX + "events.resyncs")
            .description("resync events (events may have been missed), by reason")
            .tags(tags).tag("reason", CanvasStateMetrics.lower(resyncReason))
            .register(r).increment();
      }
    }
  }

  /** Records how long a listener took. */
  void listenerTook(long nanos) {
    for (Timer t : listenerTime.all) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Records the lag of one change event, from its write's start. */
  void delivered(long nanos) {
    for (Timer t : deliveryLag.all) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
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
    private final Timers success = new Timers();
    private final Timers error = new Timers();

    /** Runs {@code call}, timing it as a success or, if it throws, as an error of its kind. */
    <R> R call(Supplier<R> call) {
      long start = System.nanoTime();
      try {
        R result = call.get();
        succeeded(start);
        return result;
      } catch (RuntimeException e) {
        throw failed(start, e);
      }
    }

    private Op(String operation) {
      this.operation = operation;
      meters.each(r -> timer(r, "success"), success::add);
      meters.each(r -> timer(r, "error"), error::add);
    }

    private Timer timer(MeterRegistry registry, String outcome) {
      return Timer.builder(CanvasStateMetrics.PREFIX + "operations")
          .description("store calls, by store, operation and outcome")
          .tags(tags).tag("operation", operation).tag("outcome", outcome)
          .publishPercentileHistogram(histograms)
          .register(registry);
    }

    /** Records a call that returned, started at {@code start} ({@link System#nanoTime()}). */
    void succeeded(long start) {
      long took = System.nanoTime() - start;
      for (Timer t : success.all) {
        t.record(took, TimeUnit.NANOSECONDS);
      }
    }

    /** Records a call that threw {@code e}; returns {@code e} for the caller to rethrow. */
    RuntimeException failed(long start, RuntimeException e) {
      long took = System.nanoTime() - start;
      for (Timer t : error.all) {
        t.record(took, TimeUnit.NANOSECONDS);
      }
      for (MeterRegistry r : meters.bound()) {
        Counter.builder(CanvasStateMetrics.PREFIX + "errors")
            .description("store calls that threw, by kind")
            .tags(tags).tag("operation", operation).tag("kind", kind(e))
            .register(r).increment();
      }
      return e;
    }
  }

  /**
   * One timer per bound registry, read on every call: an array, replaced (never changed) when a
   * registry is bound.
   */
  static final class Timers {
    volatile Timer[] all = new Timer[0];

    synchronized void add(Timer timer) {
      Timer[] next = Arrays.copyOf(all, all.length + 1);
      next[all.length] = timer;
      all = next;
    }
  }

  static String type(Object event) {
    return event.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }
}
