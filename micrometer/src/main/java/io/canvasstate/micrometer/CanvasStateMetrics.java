package io.canvasstate.micrometer;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasStore;
import io.canvasstate.PresenceStore;
import io.canvasstate.failover.ConflictEvent;
import io.canvasstate.failover.DroppedEvent;
import io.canvasstate.failover.FailoverListener;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.FailoverStore;
import io.canvasstate.failover.TransitionEvent;
import io.canvasstate.persistence.LoadEvent;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceListener;
import io.canvasstate.persistence.PersistenceStats;
import io.canvasstate.persistence.SaveEvent;
import io.canvasstate.persistence.SaveFailedEvent;
import io.canvasstate.redis.RedisStores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The Micrometer {@link MeterBinder} of CanvasState: times the operations of the stores it wraps
 * ({@link #canvas}, {@link #presence}), counts their errors and change events, and publishes the
 * state and counters of failover, persistence and the Redis connection pool. Every meter is
 * listed, with its tags, in the README's "Metrics" section.
 *
 * <pre>{@code
 * CanvasStateMetrics metrics = CanvasStateMetrics.builder()
 *     .redis(redisStores)                       // pool gauges and its failover state
 *     .persistence("shapes", persistence)       // backlog, lag, saves, failures, loads
 *     .build();
 * metrics.bindTo(registry);
 * CanvasStore<Shape> shapes = metrics.canvas("shapes", redisStores.canvas(codec));
 * }</pre>
 *
 * <p>Meters are registered in every registry {@link #bindTo} adds, including registries bound
 * after the stores were wrapped (Spring binds them late) and several registries at once; what a
 * store did before the first registry was bound is not recorded. Tags carry only names the
 * application chose (the {@code name} given here) and fixed sets of values (operations, states,
 * reasons, error kinds), never a project, object or user id.
 *
 * <p>Thread-safe; the wrapped stores are as thread-safe as the stores they wrap.
 */
public final class CanvasStateMetrics implements MeterBinder {
  /** Prefix of every meter's name. */
  static final String PREFIX = "canvasstate.";

  private final Registries meters = new Registries();
  private final boolean histograms;
  private final Tags tags;
  /** What the meters read, kept reachable as long as the binder is (gauges hold weak references). */
  private final List<Object> sources = new ArrayList<>();

  private CanvasStateMetrics(Builder b) {
    this.histograms = b.histograms;
    this.tags = b.tags;
    for (Named<FailoverStore> f : b.failovers) {
      failover(f.name, f.value);
    }
    for (Named<Persistence<?>> p : b.persistences) {
      persistence(p.name, p.value);
    }
    for (Named<RedisStores> r : b.redis) {
      RedisPoolMeters.register(meters, tags.and("name", r.name), r.value);
      synchronized (sources) {
        sources.add(r.value);
      }
    }
  }

  /** A builder with nothing to watch yet, histograms off and no common tags. */
  public static Builder builder() {
    return new Builder();
  }

  /** Adds {@code registry} to the registries this binder's meters report to; idempotent. */
  @Override
  public void bindTo(MeterRegistry registry) {
    meters.bind(requireNonNull(registry, "registry"));
  }

  /**
   * A canvas store that does what {@code store} does and times each call in
   * {@code canvasstate.operations} (tags {@code store=canvas}, {@code name}, {@code operation},
   * {@code outcome}), counts failed calls in {@code canvasstate.errors} by {@code kind}, and
   * counts the events its listeners receive. Closing it closes {@code store}.
   *
   * @param name the store's name in the {@code name} tag: a fixed name the application chose
   *     (such as {@code shapes}), never an id
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public <T> CanvasStore<T> canvas(String name, CanvasStore<T> store) {
    return new MeteredCanvasStore<>(requireNonNull(store, "store"),
        new Operations(meters, tags, "canvas", requireName(name), histograms));
  }

  /**
   * A presence store that does what {@code store} does and is measured as {@link #canvas} is,
   * with {@code store=presence}. Closing it closes {@code store}.
   *
   * @param name the store's name in the {@code name} tag
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public <P> PresenceStore<P> presence(String name, PresenceStore<P> store) {
    return new MeteredPresenceStore<>(requireNonNull(store, "store"),
        new Operations(meters, tags, "presence", requireName(name), histograms));
  }

  @Override
  public String toString() {
    return "CanvasStateMetrics[histograms=" + histograms + ", tags=" + tags + "]";
  }

  // ---- failover ----

  /**
   * Watches one more failover state, as {@link Builder#failover} does: for stores made after
   * the binder, such as a store with persistence, which has a failover state of its own.
   *
   * @return this binder
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public CanvasStateMetrics failover(String name, FailoverStore failover) {
    requireName(name);
    requireNonNull(failover, "failover");
    synchronized (sources) {
      sources.add(failover);
    }
    Tags t = tags.and("name", name);
    for (FailoverState s : FailoverState.values()) {
      gauge("failover.state", failover, f -> f.state() == s ? 1 : 0, t.and("state", lower(s)),
          "1 for the state the failover decorator is in, 0 for the others");
    }
    functionCounter("failover.failovers", failover, f -> f.stats().failovers(), t,
        "switches to the fallback (a start on the fallback counts)");
    functionCounter("failover.written.back", failover, f -> f.stats().writtenBack(), t,
        "outage changes written back to the primary");
    functionCounter("failover.conflicts", failover, f -> f.stats().conflicts(), t,
        "outage changes that conflicted with a change made elsewhere");
    functionCounter("failover.dropped", failover, f -> f.stats().dropped(), t,
        "outage changes that will not be written back");
    functionCounter("failover.expired", failover, f -> f.stats().expired(), t,
        "outage presences that expired before they could be written back");
    gauge("failover.pending", failover, f -> f.stats().pending(), t,
        "changes journaled during an outage, waiting to be written back");
    meters.register(r -> TimeGauge.builder(PREFIX + "failover.time.in.state", failover,
            TimeUnit.MILLISECONDS, f -> f.stats().timeInState().toMillis())
        .description("how long the failover decorator has been in its current state")
        .tags(t).register(r));
    failover.addListener(new FailoverListener() {
      @Override
      public void onTransition(TransitionEvent event) {
        increment("failover.transitions", t.and("from", lower(event.from()),
            "to", lower(event.to()), "reason", lower(event.reason())),
            "state transitions of the failover decorator");
      }

      @Override
      public void onConflict(ConflictEvent event) {
        increment("failover.conflict.events", t.and("reason", lower(event.reason())),
            "write-back conflicts, by reason");
      }

      @Override
      public void onDropped(DroppedEvent event) {
        increment("failover.drop.events", t.and("reason", lower(event.reason())),
            "outage changes dropped, by reason");
      }
    });
    return this;
  }

  // ---- persistence ----

  /**
   * Watches one more persistence, as {@link Builder#persistence} does.
   *
   * @return this binder
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public CanvasStateMetrics persistence(String name, Persistence<?> persistence) {
    requireName(name);
    requireNonNull(persistence, "persistence");
    Tags t = tags.and("name", name);
    // stats() asks the store for the backlog: one answer serves every meter of a scrape.
    Memo stats = new Memo(persistence::stats);
    synchronized (sources) {
      sources.add(stats);
    }
    functionCounter("persistence.saves", stats, m -> m.get().saves(), t,
        "repository saves that applied");
    functionCounter("persistence.saved.objects", stats, m -> m.get().savedObjects(), t,
        "objects written to or deleted from the repository");
    functionCounter("persistence.save.failures", stats, m -> m.get().saveFailures(), t,
        "project saves that failed, a round each");
    functionCounter("persistence.loads", stats, m -> m.get().loads(), t,
        "cold projects loaded from the repository");
    functionCounter("persistence.load.waits", stats, m -> m.get().loadWaits(), t,
        "calls that waited for another caller's load");
    functionCounter("persistence.lost.changes", stats, m -> m.get().lostChanges(), t,
        "unsaved writes whose value Redis lost (eviction, flush), reported and never saved as deletes");
    gauge("persistence.retry.waiting", stats, m -> m.get().retryWaiting(), t,
        "projects whose workers hold them back after failed saves");
    gauge("persistence.backlog", stats,
        m -> m.get().backlog().map(b -> (double) b.projects()).orElse(Double.NaN), t,
        "projects with unsaved changes (NaN if the store could not be asked)");
    meters.register(r -> TimeGauge.builder(PREFIX + "persistence.lag", stats,
            TimeUnit.MILLISECONDS,
            m -> m.get().lag().map(d -> (double) d.toMillis()).orElse(Double.NaN))
        .description("age of the oldest unsaved change (NaN if the store could not be asked)")
        .tags(t).register(r));
    persistence.addListener(new PersistenceListener() {
      @Override
      public void onSaved(SaveEvent event) {
        record("persistence.save.duration", t, event.took(),
            "time the repository took to save a project's changes");
      }

      @Override
      public void onSaveFailed(SaveFailedEvent event) {
        increment("persistence.save.failure.events", t.and("reason", lower(event.reason())),
            "failed project saves, by reason");
      }

      @Override
      public void onLoaded(LoadEvent event) {
        record("persistence.load.duration", t, event.took(),
            "time a cold project took to load from the repository");
      }
    });
    return this;
  }

  private <S> void gauge(String name, S source, ToDoubleFunction<S> value, Tags t,
      String description) {
    meters.register(r -> Gauge.builder(PREFIX + name, source, value)
        .description(description).tags(t).register(r));
  }

  /** Counts one event in every registry bound now. */
  private void increment(String name, Tags t, String description) {
    for (MeterRegistry r : meters.bound()) {
      Counter.builder(PREFIX + name).description(description).tags(t).register(r).increment();
    }
  }

  /** Records one duration in every registry bound now. */
  private void record(String name, Tags t, Duration took, String description) {
    for (MeterRegistry r : meters.bound()) {
      Timer.builder(PREFIX + name).description(description).tags(t)
          .publishPercentileHistogram(histograms).register(r).record(took);
    }
  }

  private <S> void functionCounter(String name, S source, ToDoubleFunction<S> count, Tags t,
      String description) {
    meters.register(r -> FunctionCounter.builder(PREFIX + name, source, count)
        .description(description).tags(t).register(r));
  }

  static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private static String requireName(String name) {
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank: \"" + name + "\"");
    }
    return name;
  }

  /**
   * One {@code stats()} snapshot, read again when it is older than a second; all zeros while
   * the persistence is not attached to a store yet.
   */
  static final class Memo {
    private static final long MAX_AGE_NANOS = Duration.ofSeconds(1).toNanos();
    private static final PersistenceStats NONE =
        new PersistenceStats(0, 0, 0, 0, 0, 0, 0, Optional.empty());
    private final Supplier<PersistenceStats> source;
    private PersistenceStats last = NONE;
    private long readAt;
    private boolean read;

    Memo(Supplier<PersistenceStats> source) {
      this.source = source;
    }

    synchronized PersistenceStats get() {
      long now = System.nanoTime();
      if (!read || now - readAt > MAX_AGE_NANOS) {
        try {
          last = source.get();
          read = true;
          readAt = now;
        } catch (IllegalStateException notAttachedYet) {
          return NONE;
        }
      }
      return last;
    }
  }

  private record Named<V>(String name, V value) {}

  /**
   * The builder of {@link CanvasStateMetrics}: what to watch and how. Not thread-safe.
   */
  public static final class Builder {
    private final List<Named<FailoverStore>> failovers = new ArrayList<>();
    private final List<Named<Persistence<?>>> persistences = new ArrayList<>();
    private final List<Named<RedisStores>> redis = new ArrayList<>();
    private boolean histograms;
    private Tags tags = Tags.empty();

    private Builder() {}

    /**
     * Watches the connection pool of {@code stores} ({@code canvasstate.redis.pool.*}, tag
     * {@code name=default}) and, if its stores fail over, their failover state as
     * {@link #failover(String, FailoverStore)} does under the name {@code default}. Needs
     * {@code canvasstate-redis} on the class path.
     */
    public Builder redis(RedisStores stores) {
      return redis("default", stores);
    }

    /**
     * Watches the connection pool of {@code stores} and its failover state, under {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder redis(String name, RedisStores stores) {
      requireNonNull(stores, "stores");
      redis.add(new Named<>(requireName(name), stores));
      stores.failover().ifPresent(f -> failover(name, f));
      return this;
    }

    /**
     * Watches a failover state: {@code canvasstate.failover.*} with the tag {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder failover(String name, FailoverStore failover) {
      failovers.add(new Named<>(requireName(name), requireNonNull(failover, "failover")));
      return this;
    }

    /**
     * Watches a persistence: {@code canvasstate.persistence.*} with the tag {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder persistence(String name, Persistence<?> persistence) {
      persistences.add(
          new Named<>(requireName(name), requireNonNull(persistence, "persistence")));
      return this;
    }

    /**
     * Whether the timers publish percentile histograms (buckets, for Prometheus'
     * {@code histogram_quantile}); off by default, since each timer then costs a few dozen
     * series.
     */
    public Builder percentileHistograms(boolean enabled) {
      this.histograms = enabled;
      return this;
    }

    /** Tags added to every meter, such as the application's name. */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = Tags.of(requireNonNull(tags, "tags"));
      return this;
    }

    /** The binder, with the meters of everything it watches created. */
    public CanvasStateMetrics build() {
      return new CanvasStateMetrics(this);
    }
  }
}
