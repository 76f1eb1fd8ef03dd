package io.canvasstate.spring;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.JacksonCodec;
import io.canvasstate.PresenceStore;
import io.canvasstate.failover.FailoverCanvasStore;
import io.canvasstate.micrometer.CanvasStateMetrics;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.RedisStores;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The bean that makes typed stores for an application's own beans: each from the auto-configured
 * {@link RedisStores}, measured by Micrometer when it is present, and, with a repository, saved
 * by an auto-save worker that is flushed on shutdown before any store closes.
 *
 * <pre>{@code
 * @Bean
 * CanvasStore<Shape> shapes(CanvasStateStores stores) {
 *   return stores.canvas("shapes", Shape.class);
 * }
 * }</pre>
 *
 * <p>The {@code name} of a store is the value of its {@code name} tag in the metrics; pick a
 * fixed one per store bean. Values are JSON through CanvasState's {@link JacksonCodec} (Jackson
 * 2), which works beside the Jackson 3 that Spring Boot 4 uses; pass a {@link Codec} for anything
 * else.
 *
 * <p>As a {@link SmartLifecycle} it stops late (after the web server, which stops first) and
 * then closes the auto-save workers it started: each saves what is left, for at most {@code
 * canvasstate.persistence.save-close-timeout}. The stores and {@link RedisStores} close later,
 * when the beans are destroyed. Thread-safe.
 */
public final class CanvasStateStores implements SmartLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(CanvasStateStores.class);
  /** Stops after the web server (whose phases are just below the default one). */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final RedisStores redis;
  private final PersistenceConfig persistenceConfig;
  private final boolean autoSave;
  private final @Nullable Object metrics;
  private final List<AutoSaveWorker> workers = new CopyOnWriteArrayList<>();
  private volatile boolean running;

  /**
   * Typed stores from {@code redis}; {@code metrics}, if not null, is a
   * {@code CanvasStateMetrics} that measures them.
   */
  CanvasStateStores(RedisStores redis, PersistenceConfig persistenceConfig, boolean autoSave,
      @Nullable Object metrics) {
    this.redis = requireNonNull(redis, "redis");
    this.persistenceConfig = requireNonNull(persistenceConfig, "persistenceConfig");
    this.autoSave = autoSave;
    this.metrics = metrics;
  }

  /**
   * A canvas store of {@code type}, stored as JSON by {@link JacksonCodec#of(Class)}.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws IllegalStateException if the stores are closed
   */
  public <T> CanvasStore<T> canvas(String name, Class<T> type) {
    return canvas(name, JacksonCodec.of(requireNonNull(type, "type")));
  }

  /**
   * A canvas store using {@code codec}.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws IllegalStateException if the stores are closed
   */
  public <T> CanvasStore<T> canvas(String name, Codec<T> codec) {
    requireName(name);
    return measured(name, redis.canvas(codec));
  }

  /**
   * A canvas store using {@code codec} whose changes are saved to {@code repository}, and whose
   * projects are loaded from it when Redis no longer holds them (see {@link Persistence}); with
   * {@code canvasstate.persistence.auto-save} (the default) an auto-save worker is started for
   * it and flushed on shutdown.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws IllegalStateException if the stores are closed
   */
  public <T> CanvasStore<T> canvas(String name, Codec<T> codec, CanvasRepository<T> repository) {
    requireName(name);
    Persistence<T> persistence = Persistence.builder(requireNonNull(repository, "repository"))
        .config(persistenceConfig).build();
    CanvasStore<T> store = redis.canvas(codec, persistence);
    if (metrics != null) {
      Watch.persistence(metrics, name, persistence);
      if (store instanceof FailoverCanvasStore<T> failover) {
        Watch.failover(metrics, name, failover);
      }
    }
    if (autoSave) {
      workers.add(persistence.startWorker());
    }
    return measured(name, store);
  }

  /**
   * A presence store of {@code type}, stored as JSON by {@link JacksonCodec#of(Class)}.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws IllegalStateException if the stores are closed
   */
  public <P> PresenceStore<P> presence(String name, Class<P> type) {
    return presence(name, JacksonCodec.of(requireNonNull(type, "type")));
  }

  /**
   * A presence store using {@code codec}.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws IllegalStateException if the stores are closed
   */
  public <P> PresenceStore<P> presence(String name, Codec<P> codec) {
    requireName(name);
    PresenceStore<P> store = redis.presence(codec);
    return metrics == null ? store : Watch.presence(metrics, name, store);
  }

  /** The {@link RedisStores} the stores come from. */
  public RedisStores redis() {
    return redis;
  }

  private <T> CanvasStore<T> measured(String name, CanvasStore<T> store) {
    return metrics == null ? store : Watch.canvas(metrics, name, store);
  }

  private static void requireName(String name) {
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank: \"" + name + "\"");
    }
  }

  @Override
  public void start() {
    running = true;
  }

  /** Closes the auto-save workers started here: each saves what is left first. */
  @Override
  public void stop() {
    for (AutoSaveWorker worker : workers) {
      try {
        worker.close();
      } catch (RuntimeException e) {
        LOG.warn("Auto-save worker {} failed to close: {}", worker.owner(), e.toString());
      }
    }
    workers.clear();
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public String toString() {
    return "CanvasStateStores[" + redis + ", workers=" + workers.size() + "]";
  }

  /**
   * The calls into {@code canvasstate-micrometer}, in a class of their own so that nothing of
   * it is loaded when it is not on the class path.
   */
  static final class Watch {
    private Watch() {}

    static <T> CanvasStore<T> canvas(Object metrics, String name, CanvasStore<T> store) {
      return ((CanvasStateMetrics) metrics).canvas(name, store);
    }

    static <P> PresenceStore<P> presence(Object metrics, String name, PresenceStore<P> store) {
      return ((CanvasStateMetrics) metrics).presence(name, store);
    }

    static void persistence(Object metrics, String name, Persistence<?> persistence) {
      ((CanvasStateMetrics) metrics).persistence(name, persistence);
    }

    static void failover(Object metrics, String name, FailoverCanvasStore<?> store) {
      ((CanvasStateMetrics) metrics).failover(name, store.failover());
    }
  }
}
