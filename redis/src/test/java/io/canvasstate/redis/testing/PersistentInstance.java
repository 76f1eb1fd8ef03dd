package io.canvasstate.redis.testing;

import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.contract.RecordingPersistenceListener;
import io.canvasstate.contract.RecordingRepository;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.AutoSaveWorker;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.persistence.SaveEvent;
import io.canvasstate.persistence.SaveFailedEvent;
import io.canvasstate.redis.RedisCanvasStore;
import io.canvasstate.redis.RedisStores;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * One backend instance for persistence tests: its own {@link RedisStores}, {@link Persistence}
 * over a {@link RecordingRepository} of a shared durable repository, a canvas store of
 * {@link TestShape}s, and its workers. {@link #close()} stops the workers at once (as a crash
 * would) and closes the connections. Thread-safe.
 */
public final class PersistentInstance implements AutoCloseable {
  /** The codec of the instances' canvas objects. */
  public static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);

  private final RedisStores stores;
  private final RecordingRepository<TestShape> repository;
  private final Persistence<TestShape> persistence;
  private final RedisCanvasStore<TestShape> canvas;
  private final RecordingPersistenceListener events = new RecordingPersistenceListener();
  private final List<AutoSaveWorker> workers = new CopyOnWriteArrayList<>();

  /**
   * An instance named {@code name} (its persistence instance id) on the Redis of {@code config},
   * saving to {@code durable}.
   */
  public PersistentInstance(String name, StoreConfig config, CanvasRepository<TestShape> durable,
      PersistenceConfig persistenceConfig) {
    this(name, config, durable, persistenceConfig, (stores, p) -> stores.redisCanvas(SHAPES, p));
  }

  /** An instance whose store {@code factory} makes from its stores and persistence. */
  public PersistentInstance(String name, StoreConfig config, CanvasRepository<TestShape> durable,
      PersistenceConfig persistenceConfig,
      BiFunction<RedisStores, Persistence<TestShape>, RedisCanvasStore<TestShape>> factory) {
    stores = RedisStores.create(config);
    repository = RecordingRepository.of(durable, name);
    persistence = Persistence.builder(repository).config(persistenceConfig).instanceId(name)
        .listener(events).build();
    canvas = factory.apply(stores, persistence);
  }

  public RedisStores stores() {
    return stores;
  }

  /** What reached the durable repository from this instance. */
  public RecordingRepository<TestShape> repository() {
    return repository;
  }

  public Persistence<TestShape> persistence() {
    return persistence;
  }

  /** The canvas store with persistence. */
  public RedisCanvasStore<TestShape> canvas() {
    return canvas;
  }

  /** The saves this instance's workers reported. */
  public List<SaveEvent> saved() {
    return List.copyOf(events.saved);
  }

  /** The failed saves this instance's workers reported. */
  public List<SaveFailedEvent> failed() {
    return List.copyOf(events.failed);
  }

  /** A new worker, not started; stopped by {@link #close()}. */
  public AutoSaveWorker worker() {
    AutoSaveWorker w = persistence.worker();
    workers.add(w);
    return w;
  }

  /** How many projects of the whole store have unsaved changes. */
  public int backlog() {
    return persistence.stats().backlog().orElseThrow().projects();
  }

  @Override
  public void close() {
    workers.forEach(AutoSaveWorker::shutdownNow);
    stores.close();
  }

  @Override
  public String toString() {
    return "PersistentInstance[" + persistence.instanceId() + "]";
  }
}
