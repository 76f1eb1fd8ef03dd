package io.canvasstate.contract;

import static java.util.Objects.requireNonNull;

import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CanvasRepository} decorator for tests: it counts and records the calls that reach
 * the real repository behind it, and can hold them up or fail them, so a test can see what a
 * worker or a cold load did and stop one in the middle of a save.
 *
 * <p>Thread-safe.
 *
 * @param <T> the type of the canvas objects
 */
public final class RecordingRepository<T> implements CanvasRepository<T> {
  private final CanvasRepository<T> delegate;
  private final String name;
  private final AtomicInteger loads = new AtomicInteger();
  private final AtomicInteger saves = new AtomicInteger();
  private final List<ProjectChanges<T>> applied = new ArrayList<>();
  private @Nullable Gate saveGate; // guarded by this
  private @Nullable Gate loadGate; // guarded by this
  private int failuresLeft; // guarded by this
  private volatile @Nullable Consumer<ProjectChanges<T>> duringSave;

  /** A gate a call waits at: {@code arrived} counts down when it arrives, {@code release} lets it on. */
  public record Gate(CountDownLatch arrived, CountDownLatch release) {
    /** A closed gate. */
    public static Gate closed() {
      return new Gate(new CountDownLatch(1), new CountDownLatch(1));
    }

    /** Waits (at most a minute) until a call reaches the gate. */
    public void awaitReached() throws InterruptedException {
      if (!arrived.await(1, TimeUnit.MINUTES)) {
        throw new AssertionError("no call reached the gate within a minute");
      }
    }

    /** Lets every call through. */
    public void open() {
      release.countDown();
    }

    void pass() {
      arrived.countDown();
      try {
        if (!release.await(1, TimeUnit.MINUTES)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted at the gate", e);
      }
    }
  }

  private RecordingRepository(CanvasRepository<T> delegate, String name) {
    this.delegate = delegate;
    this.name = name;
  }

  /** Records the calls made to {@code delegate} through it; {@code name} shows in toString. */
  public static <T> RecordingRepository<T> of(CanvasRepository<T> delegate, String name) {
    return new RecordingRepository<>(requireNonNull(delegate, "delegate"), name);
  }

  /** Makes the next save wait at {@code gate}; the saves after it pass. */
  public synchronized RecordingRepository<T> holdSaves(Gate gate) {
    this.saveGate = gate;
    return this;
  }

  /** Makes the next load wait at {@code gate}; the loads after it pass. */
  public synchronized RecordingRepository<T> holdLoads(Gate gate) {
    this.loadGate = gate;
    return this;
  }

  /** Makes the next {@code n} saves throw, without reaching the delegate. */
  public synchronized RecordingRepository<T> failSaves(int n) {
    this.failuresLeft = n;
    return this;
  }

  private synchronized boolean takeFailure() {
    if (failuresLeft > 0) {
      failuresLeft--;
      return true;
    }
    return false;
  }

  /** Runs {@code action} inside each save, before the delegate's, with the changes. */
  public RecordingRepository<T> duringSave(Consumer<ProjectChanges<T>> action) {
    this.duringSave = action;
    return this;
  }

  @Override
  public Map<String, T> load(String projectId) {
    loads.incrementAndGet();
    Gate gate = take(true);
    if (gate != null) {
      gate.pass();
    }
    return delegate.load(projectId);
  }

  @Override
  public boolean save(ProjectChanges<T> changes) {
    saves.incrementAndGet();
    Gate gate = take(false);
    if (gate != null) {
      gate.pass();
    }
    if (takeFailure()) {
      throw new IllegalStateException("injected failure of save " + changes);
    }
    Consumer<ProjectChanges<T>> action = duringSave;
    if (action != null) {
      action.accept(changes);
    }
    boolean ok = delegate.save(changes);
    if (ok) {
      synchronized (applied) {
        applied.add(changes);
      }
    }
    return ok;
  }

  /** Takes the gate the next load (or save) waits at, so that only one call waits. */
  private synchronized @Nullable Gate take(boolean load) {
    Gate gate = load ? loadGate : saveGate;
    if (load) {
      loadGate = null;
    } else {
      saveGate = null;
    }
    return gate;
  }

  /** Calls of {@link #load} so far. */
  public int loads() {
    return loads.get();
  }

  /** Calls of {@link #save} so far, applied or not. */
  public int saves() {
    return saves.get();
  }

  /** The saves the delegate applied, in order. */
  public List<ProjectChanges<T>> applied() {
    synchronized (applied) {
      return List.copyOf(applied);
    }
  }

  /** The number of objects written or deleted by the saves applied. */
  public int savedObjects() {
    return applied().stream().mapToInt(ProjectChanges::size).sum();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "RecordingRepository[" + name + "]";
  }
}
