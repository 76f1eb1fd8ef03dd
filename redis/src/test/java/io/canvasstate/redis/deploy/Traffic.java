package io.canvasstate.redis.deploy;

import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasStore;
import io.canvasstate.contract.TestShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application's traffic on one project while a test breaks the deployment: a thread that
 * writes and reads back objects in a loop, recording every exception. Bounded: it stops by
 * itself after {@link #MAX_RUN}, and pauses a little between operations. Thread-safe.
 */
final class Traffic implements AutoCloseable {
  static final Duration MAX_RUN = Duration.ofSeconds(120);

  private final CanvasStore<TestShape> store;
  private final String projectId;
  private final List<Throwable> errors = new ArrayList<>();
  private final AtomicInteger successesSinceError = new AtomicInteger();
  private final AtomicInteger operations = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private Traffic(CanvasStore<TestShape> store, String projectId) {
    this.store = store;
    this.projectId = projectId;
    this.thread = new Thread(this::run, "traffic-" + projectId);
    this.thread.setDaemon(true);
  }

  /** Starts writing and reading {@code projectId} in {@code store}. */
  static Traffic start(CanvasStore<TestShape> store, String projectId) {
    Traffic traffic = new Traffic(store, projectId);
    traffic.thread.start();
    return traffic;
  }

  /** Waits (at most a minute) until {@code n} operations in a row have succeeded. */
  void awaitSuccesses(int n) {
    await("traffic on " + projectId + " succeeds " + n + " times in a row")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> successesSinceError.get() >= n);
  }

  /** How many operations ran, failed or not. */
  int operations() {
    return operations.get();
  }

  /** Stops the thread and returns what it caught. */
  List<Throwable> stop() {
    running.set(false);
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void run() {
    long deadline = System.nanoTime() + MAX_RUN.toNanos();
    for (int i = 0; running.get() && System.nanoTime() < deadline; i++) {
      operations.incrementAndGet();
      try {
        TestShape shape = new TestShape("during-" + i, i, i);
        store.put(projectId, "during-" + i, shape);
        if (!store.get(projectId, "during-" + i).map(shape::equals).orElse(false)) {
          throw new AssertionError("read back something else than during-" + i);
        }
        successesSinceError.incrementAndGet();
      } catch (RuntimeException | AssertionError e) {
        successesSinceError.set(0);
        synchronized (errors) {
          errors.add(e);
        }
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
