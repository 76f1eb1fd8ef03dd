package io.canvasstate.redis.testing;

import io.canvasstate.StoreConfig;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.PersistenceConfig;
import io.canvasstate.redis.RedisCanvasStore;
import io.canvasstate.redis.RedisStores;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension, registered on an instance field, that opens {@link PersistentInstance}s
 * for a test and gives it threads, and stops them all after it (workers at once, as a crash
 * would; threads interrupted and waited for):
 *
 * <pre>{@code
 * @RegisterExtension final PersistentInstances instances = new PersistentInstances();
 * ... PersistentInstance a = instances.open("a", config, repository, settings); ...
 * }</pre>
 */
public final class PersistentInstances implements AfterEachCallback {
  private final List<PersistentInstance> open = new CopyOnWriteArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  /** An instance with a bare Redis canvas store with persistence. */
  public PersistentInstance open(String name, StoreConfig config,
      CanvasRepository<TestShape> durable, PersistenceConfig persistenceConfig) {
    return add(new PersistentInstance(name, config, durable, persistenceConfig));
  }

  /** An instance whose store {@code factory} makes. */
  public PersistentInstance open(String name, StoreConfig config,
      CanvasRepository<TestShape> durable, PersistenceConfig persistenceConfig,
      BiFunction<RedisStores, Persistence<TestShape>, RedisCanvasStore<TestShape>> factory) {
    return add(new PersistentInstance(name, config, durable, persistenceConfig, factory));
  }

  private PersistentInstance add(PersistentInstance instance) {
    open.add(instance);
    return instance;
  }

  /** Threads for the test's own work, interrupted after it. */
  public ExecutorService threads() {
    return threads;
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    open.forEach(PersistentInstance::close);
    threads.shutdownNow();
    if (!threads.awaitTermination(1, TimeUnit.MINUTES)) {
      throw new AssertionError("test threads still running a minute after the test");
    }
  }
}
