package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import io.canvasstate.StoreException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a store's changes to its repository, in the background: every instance runs one (from
 * {@link Persistence#startWorker()}), and together they save each change once, at least.
 *
 * <h2>A round</h2>
 * Every {@link PersistenceConfig#saveInterval()} the worker <em>takes</em> up to
 * {@link PersistenceConfig#maxProjectsPerRound()} projects whose saving is due, oldest change
 * first; taking them makes them not due for a {@link PersistenceConfig#saveLease()}, so the
 * workers of other instances take other projects meanwhile and saving spreads over instances.
 * For each one it:
 * <ol>
 *   <li><b>claims</b> it: a lease of {@link PersistenceConfig#saveLease()} in the store, with
 *       this worker as owner, taken only if no other owner holds one that has not ended. The
 *       claim takes a consistent snapshot of (at most {@link PersistenceConfig#maxChangesPerSave()})
 *       changes, each with its version, and a new <em>fence</em>, larger than any before;
 *   <li><b>saves</b> them with one {@link CanvasRepository#save} call carrying the fence;
 *   <li><b>clears</b> the versions it saved, only those still the latest: a change made during
 *       the save has a new version and stays unsaved for the next round. Then it ends its claim,
 *       checking that it is still the owner (another instance's claim is never ended by it).
 * </ol>
 * A project that is saved but has changes left is due again at once. A save that fails leaves
 * everything unsaved, ends the claim and backs the project off: it is due again after the save
 * interval, doubled for each failure in a row up to {@link PersistenceConfig#maxRetryDelay()}, so
 * a project that keeps failing never holds up the others. Unsaved writes whose values the store
 * lost are reported ({@link PersistenceListener#onLost}) and never saved as deletes. At start and
 * every {@link PersistenceConfig#reconcileInterval()} the worker also lists again the projects
 * with unsaved changes that the list lacks ({@link ChangeLog#relist()}). A worker that dies mid-save leaves its claim to expire: after the lease
 * another instance claims the project with a larger fence and saves it; if the dead worker's
 * save lands late after all, the repository rejects its smaller fence.
 *
 * <h2>Guarantees</h2>
 * At least once: a change is cleared only after a save that contains it (or a newer value of the
 * object) returned. One instance at a time: while a claim lasts, no other instance saves that
 * project. A project with unsaved changes does not expire from the store.
 *
 * <p>{@link #close()} stops the schedule and saves what is left, for at most
 * {@link PersistenceConfig#closeTimeout()}; {@link #shutdownNow()} stops at once, as a crash
 * would. Thread-safe.
 */
public final class AutoSaveWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AutoSaveWorker.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /**
   * What one round did.
   *
   * @param projects the due projects it took (see {@link ChangeLog#takeDue})
   * @param saved the projects it saved changes of
   * @param savedObjects the objects it wrote or deleted in the repository
   * @param held the projects another instance held
   * @param failed the projects whose save failed
   */
  public record Round(int projects, int saved, int savedObjects, int held, int failed) {}

  private final Persistence<?> persistence;
  private final String owner;
  private final ProjectSaver<?> saver;
  private final IntSupplier waiting;
  private final ReentrantLock roundLock = new ReentrantLock();
  private volatile boolean closed;
  private volatile boolean aborted;
  private volatile boolean roundFailing;
  private @Nullable ScheduledExecutorService scheduler; // guarded by this
  private @Nullable ScheduledFuture<?> task; // guarded by this

  AutoSaveWorker(Persistence<?> persistence, String owner) {
    this.persistence = persistence;
    this.owner = owner;
    this.saver = saver(persistence, owner);
    this.waiting = saver::retryWaiting;
    persistence.retryWaiting.add(waiting);
  }

  private <T> ProjectSaver<T> saver(Persistence<T> p, String owner) {
    return new ProjectSaver<>(p, owner, () -> aborted);
  }

  /**
   * Starts saving every {@link PersistenceConfig#saveInterval()}, on one daemon thread named
   * {@code canvasstate-autosave-N}. Does nothing if started already.
   *
   * @return this worker
   * @throws IllegalStateException if it is closed
   */
  public synchronized AutoSaveWorker start() {
    requireOpen();
    if (scheduler == null) {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "canvasstate-autosave-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      long every = persistence.config().saveInterval().toNanos();
      task = s.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.NANOSECONDS);
      scheduler = s;
    }
    return this;
  }

  /**
   * Runs one round now, on the calling thread (after a round in progress, if any): for tests,
   * and for an admin "save now".
   *
   * @throws IllegalStateException if it is closed
   * @throws StoreException if the store cannot be reached to list or claim projects (a failing
   *     repository is not an exception: it is counted in {@link Round#failed()})
   */
  public Round runOnce() {
    requireOpen();
    return round();
  }

  /**
   * Runs rounds until no project has unsaved changes, or a round saves nothing (what is left is
   * held by other instances, or fails), or {@code timeout} passes.
   *
   * @return whether no project has unsaved changes at the end
   * @throws IllegalStateException if it is closed
   * @throws StoreException if the store cannot be reached
   */
  public boolean flush(Duration timeout) {
    requireNonNull(timeout, "timeout");
    requireOpen();
    return drain(timeout);
  }

  private boolean drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Round r = round();
      if (r.projects() == 0) {
        // nothing due: done if nothing is dirty; else the rest is held by other instances'
        // workers or backing off after failures
        return persistence.requireAttached().log().backlog().projects() == 0;
      }
      if (aborted || r.failed() > 0 || (r.saved() == 0 && r.held() > 0)
          || System.nanoTime() - deadline > 0) {
        return false;
      }
    }
  }

  private Round round() {
    roundLock.lock();
    try {
      return saver.round();
    } finally {
      roundLock.unlock();
    }
  }

  private void tick() {
    if (aborted || closed) {
      return;
    }
    try {
      round();
      if (roundFailing) {
        roundFailing = false;
        LOG.info("Auto-save worker {} reaches the store again", owner);
      }
    } catch (RuntimeException e) {
      if (aborted) {
        return;
      }
      if (!roundFailing) {
        roundFailing = true;
        LOG.warn("Auto-save worker {} cannot reach the store; unsaved changes stay there and"
            + " are saved when it answers (logged once until then): {}", owner, e.toString());
      } else {
        LOG.debug("Auto-save round failed again: {}", e.toString());
      }
    }
  }

  /**
   * Stops the schedule, waits for a round in progress, and saves what is left (as
   * {@link #flush} does) for at most {@link PersistenceConfig#closeTimeout()}; what it could not
   * save stays in the store for the other instances' workers (or this one's next start).
   * Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (task != null) {
        task.cancel(false);
      }
    }
    try {
      if (!drain(persistence.config().closeTimeout())) {
        LOG.info("Auto-save worker {} closed with unsaved changes left in the store for other"
            + " instances", owner);
      }
    } catch (RuntimeException e) {
      LOG.warn("Auto-save worker {} could not save what was left on close; it stays in the"
          + " store for other instances: {}", owner, e.toString());
    } finally {
      stopThread(false);
    }
  }

  /**
   * Stops at once, as a crash would: interrupts a round in progress, saves nothing more and
   * records nothing more (a save the repository finishes anyway is not cleared, so it is saved
   * again). The projects it had claimed are claimed by other instances after their lease.
   * Idempotent.
   */
  public void shutdownNow() {
    aborted = true;
    synchronized (this) {
      closed = true;
    }
    stopThread(true);
  }

  private synchronized void stopThread(boolean interrupt) {
    persistence.retryWaiting.remove(waiting);
    if (task != null) {
      task.cancel(interrupt);
      task = null;
    }
    if (scheduler != null) {
      if (interrupt) {
        scheduler.shutdownNow();
      } else {
        scheduler.shutdown();
      }
      scheduler = null;
    }
  }

  /** The owner this worker's claims carry. */
  public String owner() {
    return owner;
  }

  /** Whether {@link #close()} or {@link #shutdownNow()} was called. */
  public boolean isClosed() {
    return closed;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this AutoSaveWorker is closed");
    }
  }

  @Override
  public String toString() {
    return "AutoSaveWorker[" + owner + (closed ? ", closed" : "") + "]";
  }
}
