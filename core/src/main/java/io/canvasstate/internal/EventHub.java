package io.canvasstate.internal;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one store, by key (a project id, or one key for presence), and the serial
 * delivery of events to them. Not API.
 *
 * <p>{@link #enqueue} records an event together with the listeners registered for its key at
 * that moment; call it where the write is ordered (under the write's lock, or on the one thread
 * that reads a subscription) so that the queue holds events in write order. {@link #drain}
 * delivers queued events, outside any lock: one thread at a time drains, in queue order, so a
 * listener is never called concurrently and sees events in the order they were enqueued; a
 * listener that writes to the store from inside a callback has its event delivered after the
 * current one returns. A call to {@code drain} delivers at most the events its thread enqueued
 * since its last {@code drain} plus {@link #MAX_OTHERS_PER_DRAIN} others, so that a writer never
 * delivers the events of every other writer for an unbounded time; what is left then goes on
 * in the same order on a shared daemon thread ({@code canvasstate-events-N}). Listener exceptions are caught and logged (the first one per listener
 * at WARN, later ones at DEBUG).
 *
 * <p>A {@link KeyWatcher} hears, under the hub's registration lock and in order, when a key gets
 * its first listener and loses its last one: the Redis stores subscribe and unsubscribe channels
 * there. Thread-safe.
 *
 * @param <K> the key listeners register under
 * @param <E> the event type
 */
public final class EventHub<K, E> {
  private static final Logger LOG = LoggerFactory.getLogger("io.canvasstate.events");

  /** How many events of other threads one {@link #drain} call delivers at most. */
  public static final int MAX_OTHERS_PER_DRAIN = 64;

  /** Per thread: events it enqueued (to keys with listeners) since its last drain. */
  private static final ThreadLocal<int[]> ENQUEUED = ThreadLocal.withInitial(() -> new int[1]);

  /** Delivers what a bounded drain left, on daemon threads that end when idle. */
  private static final Executor OVERFLOW = overflowExecutor();

  /** Hears when a key gets its first listener and loses its last. */
  public interface KeyWatcher<K> {
    /** The key got its first listener; called under the hub's lock. */
    void firstListener(K key);

    /** The key lost its last listener; called under the hub's lock. */
    void lastListenerGone(K key);
  }

  private final String name;
  private final KeyWatcher<K> watcher;
  private final Object lock = new Object();
  private final Map<K, List<Registration>> byKey = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Pending<E>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong listenerFailures = new AtomicLong();
  private volatile boolean closed;

  /**
   * A hub.
   *
   * @param name what the hub serves, for log messages (such as {@code "canvas events"})
   * @param watcher told when keys gain their first or lose their last listener
   */
  public EventHub(String name, KeyWatcher<K> watcher) {
    this.name = requireNonNull(name, "name");
    this.watcher = requireNonNull(watcher, "watcher");
  }

  /** A hub whose keys nobody watches. */
  public EventHub(String name) {
    this(name, new KeyWatcher<>() {
      @Override
      public void firstListener(K key) {}

      @Override
      public void lastListenerGone(K key) {}
    });
  }

  /**
   * Registers a listener for a key.
   *
   * @throws IllegalStateException if the hub is closed
   */
  public Subscription subscribe(K key, Consumer<? super E> listener) {
    requireNonNull(key, "key");
    requireNonNull(listener, "listener");
    Registration registration = new Registration(key, listener);
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the store is closed; cannot subscribe to " + name);
      }
      List<Registration> old = byKey.get(key);
      List<Registration> now = new ArrayList<>(old == null ? List.of() : old);
      now.add(registration);
      byKey.put(key, List.copyOf(now));
      if (old == null) {
        watcher.firstListener(key);
      }
    }
    return registration;
  }

  /** Whether a key has a listener now. */
  public boolean hasListeners(K key) {
    return byKey.containsKey(key);
  }

  /** Whether any key has a listener now. */
  public boolean hasAnyListener() {
    return !byKey.isEmpty();
  }

  /** The keys that have listeners now: a snapshot. */
  public Set<K> keys() {
    return Set.copyOf(byKey.keySet());
  }

  /** How many listener calls have thrown so far. */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  /**
   * Queues an event for the listeners the key has now; does nothing when it has none. Call
   * {@link #drain} afterwards, outside locks.
   */
  public void enqueue(K key, E event) {
    List<Registration> listeners = byKey.get(key);
    if (listeners != null) {
      queue.add(new Pending<>(listeners, event));
      ENQUEUED.get()[0]++;
    }
  }

  /** {@link #enqueue} and {@link #drain}: for callers that are already outside their locks. */
  public void publish(K key, E event) {
    enqueue(key, event);
    drain();
  }

  /** Queues one event, made by {@code eventFor}, for each key that has listeners, and drains. */
  public void publishToEach(Function<? super K, ? extends E> eventFor) {
    for (K key : keys()) {
      enqueue(key, eventFor.apply(key));
    }
    drain();
  }

  /**
   * Delivers queued events, unless another thread is delivering (then that thread delivers
   * them): at most the events this thread enqueued since its last call plus
   * {@link #MAX_OTHERS_PER_DRAIN}; if more are queued then, a shared daemon thread delivers the
   * rest, in order. Never call it while holding a lock a listener might need.
   */
  public void drain() {
    int[] own = ENQUEUED.get();
    int budget = own[0] + MAX_OTHERS_PER_DRAIN;
    own[0] = 0;
    drain(budget);
  }

  private void drain(int budget) {
    int delivered = 0;
    while (!queue.isEmpty()) {
      if (!draining.compareAndSet(false, true)) {
        return;
      }
      try {
        Pending<E> next;
        while (delivered < budget && (next = queue.poll()) != null) {
          deliver(next);
          delivered++;
        }
      } finally {
        draining.set(false);
      }
      if (delivered >= budget) {
        if (!queue.isEmpty() && !closed) {
          OVERFLOW.execute(() -> drain(Integer.MAX_VALUE));
        }
        return;
      }
    }
  }

  private static Executor overflowExecutor() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
        new SynchronousQueue<>(), task -> {
          Thread t = new Thread(task, "canvasstate-events-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    return pool;
  }

  /** Ends every subscription; later {@link #subscribe} calls throw. Idempotent. */
  public void close() {
    synchronized (lock) {
      closed = true;
      for (List<Registration> registrations : byKey.values()) {
        for (Registration r : registrations) {
          r.active = false;
        }
      }
      byKey.clear();
    }
    queue.clear();
  }

  /** Whether {@link #close} was called. */
  public boolean isClosed() {
    return closed;
  }

  private void deliver(Pending<E> pending) {
    for (Object o : pending.listeners) {
      @SuppressWarnings("unchecked")
      Registration r = (Registration) o;
      if (!r.active) {
        continue;
      }
      try {
        r.listener.accept(pending.event);
      } catch (RuntimeException e) {
        listenerFailures.incrementAndGet();
        if (r.failures++ == 0) {
          LOG.warn("A listener of {} threw {} (caught; later failures of this listener are logged"
              + " at DEBUG)", name, e.toString());
        } else {
          LOG.debug("A listener of {} threw again", name, e);
        }
      }
    }
  }

  private void unsubscribe(Registration registration) {
    synchronized (lock) {
      if (!registration.active) {
        return;
      }
      registration.active = false;
      List<Registration> old = byKey.get(registration.key);
      if (old == null) {
        return;
      }
      List<Registration> now = new ArrayList<>(old);
      now.remove(registration);
      if (now.isEmpty()) {
        byKey.remove(registration.key);
        if (!closed) {
          watcher.lastListenerGone(registration.key);
        }
      } else {
        byKey.put(registration.key, List.copyOf(now));
      }
    }
  }

  @Override
  public String toString() {
    return "EventHub[" + name + ", keys=" + byKey.size() + "]";
  }

  /** An event and the listeners it goes to (a list of registrations, kept untyped). */
  private record Pending<E>(List<?> listeners, E event) {}

  private final class Registration implements Subscription {
    private final K key;
    private final Consumer<? super E> listener;
    private volatile boolean active = true;
    private int failures; // only touched by the draining thread

    Registration(K key, Consumer<? super E> listener) {
      this.key = key;
      this.listener = listener;
    }

    @Override
    public void close() {
      unsubscribe(this);
    }

    @Override
    public boolean isActive() {
      return active;
    }

    @Override
    public String toString() {
      return "Subscription[" + name + ", " + key + (active ? "" : ", closed") + "]";
    }
  }
}
