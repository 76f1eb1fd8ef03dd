package io.canvasstate.contract;

import static java.util.Objects.requireNonNull;

import io.canvasstate.TtlPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;

/**
 * What the contract classes share: the lifetimes and capabilities a store's test declares,
 * fresh ids, closing the stores a test made, and running code on many threads.
 */
public abstract class ContractSupport {
  /** Threads in the concurrency tests. */
  protected static final int THREADS = 8;
  /** Operations per thread in the concurrency tests. */
  protected static final int OPS_PER_THREAD = 500;

  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /**
   * The lifetimes the TTL tests use. They let at most 1.5 times a lifetime pass at once (0.6 of
   * it before a check that something is still alive), so a store whose test sleeps keeps them
   * short: 1.5 s each by default, which suits Redis (with 1 s, a scheduling stall of 0.4 s on a
   * loaded machine was enough to expire a project the test had just touched).
   */
  protected TtlPolicy shortTtl() {
    return new TtlPolicy(Duration.ofMillis(1500), Duration.ofMillis(1500));
  }

  /** What this store can do beyond the common contract; none by default. */
  protected Set<Capability> capabilities() {
    return EnumSet.noneOf(Capability.class);
  }

  /** Whether this store declares {@code capability}. */
  protected final boolean has(Capability capability) {
    return capabilities().contains(capability);
  }

  /** Closes {@code store} after the test. */
  protected final <S extends AutoCloseable> S closeAfterTest(S store) {
    synchronized (toClose) {
      toClose.add(requireNonNull(store, "the factory returned null"));
    }
    return store;
  }

  /** An id no other test uses, such as {@code "project-k3x9-17"}. */
  protected static String newId(String kind) {
    return kind + "-" + RUN + "-" + SEQUENCE.incrementAndGet();
  }

  /** {@code ttl} times {@code tenths} / 10. */
  protected static Duration tenths(Duration ttl, int tenths) {
    return ttl.multipliedBy(tenths).dividedBy(10);
  }

  /** Closes the stores the test made; a store's test must not hide it. */
  @AfterEach
  protected final void closeStores() throws Exception {
    List<AutoCloseable> stores;
    synchronized (toClose) {
      stores = new ArrayList<>(toClose);
      toClose.clear();
    }
    Exception failure = null;
    for (AutoCloseable store : stores) {
      try {
        store.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The body of one thread of {@link #concurrently}. */
  @FunctionalInterface
  protected interface ThreadBody {
    void run(int thread) throws Exception;
  }

  /**
   * Runs {@code body} on {@code threads} threads that start together, and waits (at most a
   * minute) for all of them.
   *
   * @throws AssertionError if a thread failed (with its exception as the cause) or hung
   */
  protected static void concurrently(int threads, ThreadBody body) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          body.run(thread);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(1, TimeUnit.MINUTES);
      }
    } catch (ExecutionException e) {
      throw new AssertionError("a thread failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("threads did not finish within a minute", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
