package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.canvasstate.ResyncReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Connection;

/**
 * The one pub/sub connection of a {@link RedisStores}: subscribes the channels that this
 * instance's listeners need, hands each message to the stores' sinks, and comes back by itself
 * after Redis goes away.
 *
 * <p>A daemon thread ({@code canvasstate-events-<instanceId>}) owns the connection: it connects,
 * subscribes a private control channel and then every wanted channel, and reads messages until
 * the connection breaks; then it waits (100 ms, doubling up to 5 s) and connects again. A second
 * daemon thread pings the connection every {@code pingInterval} and closes it when Redis has not
 * answered for {@code pingInterval + timeout}, so that a frozen server or a silently dropped
 * connection is noticed too. Both threads exist from the first subscription until
 * {@link #close()}.
 *
 * <p>After a broken connection, each sink whose channel was subscribed hears
 * {@link Sink#onResync} as soon as its channel is subscribed again: before any message that
 * follows the gap. A sink added while Redis is unreachable hears it when its subscription first
 * comes into place. Sinks are called on the event thread, one message at a time. Thread-safe.
 */
final class RedisEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisEvents.class);
  static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(5);
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  /** Receives the messages of one channel. */
  interface Sink {
    /** A message published on the channel. */
    void onMessage(byte[] message);

    /** Messages of the channel may have been missed; the subscription works again now. */
    void onResync(ResyncReason reason);
  }

  /** A wanted channel: its sinks, and those that must hear a resync when it is subscribed. */
  private static final class Channel {
    final Set<Sink> sinks = new CopyOnWriteArraySet<>();
    final Set<Sink> owedResync = new LinkedHashSet<>();
    boolean subscribed;
  }

  private final Supplier<Connection> connections;
  private final String controlChannel;
  private final String instanceId;
  private final Duration pingInterval;
  private final Duration timeout;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private final Map<String, Channel> channels = new HashMap<>();
  /** Guarded by {@link #lock}; null while not connected. */
  private @Nullable Listener listener;
  private @Nullable Connection connection;
  private @Nullable Thread thread;
  private @Nullable ScheduledExecutorService pinger;
  private volatile boolean closed;
  private volatile long lastHeard;
  /** Whether the connection failed since it last worked: then nobody waits for it. */
  private volatile boolean down;
  private boolean outageLogged;

  /**
   * @param connections makes a new, connected, dedicated connection (never a pooled one); throws
   *     when Redis cannot be reached
   * @param controlChannel a channel only this instance uses, always subscribed
   * @param timeout how long Redis may take to answer a ping
   */
  RedisEvents(Supplier<Connection> connections, String controlChannel, String instanceId,
      Duration pingInterval, Duration timeout) {
    this.connections = requireNonNull(connections, "connections");
    this.controlChannel = requireNonNull(controlChannel, "controlChannel");
    this.instanceId = requireNonNull(instanceId, "instanceId");
    this.pingInterval = requireNonNull(pingInterval, "pingInterval");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /**
   * Adds a sink for a channel and subscribes the channel if it is new; does not wait. Follow
   * it with {@link #awaitOrOweResync}, outside any lock the caller holds.
   *
   * @throws IllegalStateException if closed
   */
  void add(String channel, Sink sink) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("RedisStores is closed");
      }
      startThreads();
      Channel c = channels.computeIfAbsent(channel, k -> new Channel());
      c.sinks.add(sink);
      if (c.sinks.size() == 1) {
        sendSubscribe(channel);
      }
    }
  }

  /**
   * Waits up to {@code wait} for a channel's subscription to be in place; if it is not by then
   * (Redis is unreachable, or this is the event thread, which cannot wait for itself), the sink
   * hears a resync once it is, since events published in between are not received. Does not
   * wait at all while the connection is known to be down, so that callers are not held up for
   * each subscription during an outage.
   *
   * @return whether the subscription is in place
   */
  boolean awaitOrOweResync(String channel, Sink sink, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (lock) {
      Channel c = channels.get(channel);
      if (c == null || closed) {
        return false;
      }
      try {
        while (!c.subscribed && !closed && !down && Thread.currentThread() != thread) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!c.subscribed && c.sinks.contains(sink)) {
        c.owedResync.add(sink);
      }
      return c.subscribed;
    }
  }

  /**
   * Runs {@code task} every {@code interval} on the ping thread until the returned handle is
   * cancelled or this closes; for the presence sweep. The task must not block for long.
   *
   * @throws IllegalStateException if closed
   */
  ScheduledFuture<?> every(Duration interval, Runnable task) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("RedisStores is closed");
      }
      startThreads();
      long ms = Math.max(1, interval.toMillis());
      return requireNonNull(pinger).scheduleWithFixedDelay(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.debug("A scheduled event task failed", e);
        }
      }, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /** Removes a sink; unsubscribes the channel when it was the last. */
  void remove(String channel, Sink sink) {
    synchronized (lock) {
      Channel c = channels.get(channel);
      if (c == null || !c.sinks.remove(sink)) {
        return;
      }
      c.owedResync.remove(sink);
      if (c.sinks.isEmpty()) {
        channels.remove(channel);
        Listener l = listener;
        if (l != null && l.ready) {
          try {
            l.unsubscribe(bytes(channel));
          } catch (RuntimeException e) {
            LOG.debug("UNSUBSCRIBE {} failed; the connection is being replaced", channel, e);
          }
        }
      }
    }
  }

  /** The id of the instance whose events this connection carries. */
  String instanceId() {
    return instanceId;
  }

  /** Whether the event connection is up and subscribed. */
  boolean isConnected() {
    Listener l = listener;
    return l != null && l.ready;
  }

  /** Stops both threads and closes the connection. Idempotent; waits up to 5 s for the threads. */
  @Override
  public void close() {
    Thread t;
    ScheduledExecutorService p;
    Connection c;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      t = thread;
      p = pinger;
      c = connection;
      channels.clear();
      lock.notifyAll();
    }
    if (p != null) {
      p.shutdownNow();
    }
    if (c != null) {
      c.disconnect();
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
        if (p != null) {
          p.awaitTermination(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- the event thread ----

  /** Starts the threads on first use. Call holding the lock. */
  private void startThreads() {
    if (thread != null) {
      return;
    }
    Thread t = new Thread(this::run, "canvasstate-events-" + instanceId);
    t.setDaemon(true);
    thread = t;
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1, r -> {
      Thread pt = new Thread(r, "canvasstate-events-ping-" + instanceId);
      pt.setDaemon(true);
      return pt;
    });
    long ms = Math.max(1, pingInterval.toMillis());
    p.scheduleWithFixedDelay(this::ping, ms, ms, TimeUnit.MILLISECONDS);
    pinger = p;
    t.start();
  }

  private void run() {
    long backoff = MIN_BACKOFF_MS;
    while (!closed) {
      Connection c = null;
      Listener l = new Listener();
      try {
        c = connections.get();
        synchronized (lock) {
          if (closed) {
            return;
          }
          connection = c;
          listener = l;
        }
        lastHeard = System.nanoTime();
        l.proceed(c, bytes(controlChannel));
        // proceed returns only when every channel is unsubscribed, which is never asked for
      } catch (RuntimeException e) {
        down = true;
        if (!closed) {
          if (!outageLogged) {
            outageLogged = true;
            LOG.warn("Event connection of instance {} is down, reconnecting in the background: {}",
                instanceId, e.toString());
          } else {
            LOG.debug("Event connection attempt failed: {}", e.toString());
          }
        }
      } finally {
        synchronized (lock) {
          listener = null;
          connection = null;
          for (Channel ch : channels.values()) {
            if (ch.subscribed) {
              ch.subscribed = false;
              ch.owedResync.addAll(ch.sinks);
            }
          }
          lock.notifyAll(); // waiting subscribers stop waiting for a connection that is down
        }
        if (c != null) {
          try {
            c.close();
          } catch (RuntimeException e) {
            LOG.debug("Closing a broken event connection failed", e);
          }
        }
      }
      // A connection that worked is retried at once; failed attempts back off.
      backoff = l.ready ? MIN_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoff * 2);
      try {
        Thread.sleep(l.ready ? MIN_BACKOFF_MS : backoff);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Sends SUBSCRIBE for a channel if the connection is ready. Call holding the lock. */
  private void sendSubscribe(String channel) {
    Listener l = listener;
    if (l != null && l.ready) {
      try {
        l.subscribe(bytes(channel));
      } catch (RuntimeException e) {
        LOG.debug("SUBSCRIBE {} failed; it is sent again after reconnecting", channel, e);
      }
    }
  }

  private void ping() {
    Listener l;
    Connection c;
    synchronized (lock) {
      l = listener;
      c = connection;
    }
    if (l == null || c == null || !l.ready) {
      return;
    }
    long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeard);
    if (silentMs > pingInterval.toMillis() + timeout.toMillis()) {
      LOG.warn("Redis has not answered the event connection's ping for {} ms; reconnecting",
          silentMs);
      c.disconnect();
      return;
    }
    try {
      l.ping();
    } catch (RuntimeException e) {
      LOG.debug("Event connection ping failed", e);
    }
  }

  /** The pub/sub callbacks, on the event thread. */
  private final class Listener extends BinaryJedisPubSub {
    volatile boolean ready;

    @Override
    public void onSubscribe(byte[] channel, int subscribedChannels) {
      lastHeard = System.nanoTime();
      String name = new String(channel, UTF_8);
      List<Sink> resync = new ArrayList<>();
      synchronized (lock) {
        if (name.equals(controlChannel)) {
          ready = true;
          down = false;
          if (outageLogged) {
            outageLogged = false;
            LOG.info("Event connection of instance {} is back", instanceId);
          }
          List<String> wanted = new ArrayList<>(channels.keySet());
          if (!wanted.isEmpty()) {
            subscribe(wanted.stream().map(RedisEvents::bytes).toArray(byte[][]::new));
          }
          return;
        }
        Channel c = channels.get(name);
        if (c == null) {
          return;
        }
        c.subscribed = true;
        resync.addAll(c.owedResync);
        c.owedResync.clear();
        lock.notifyAll();
      }
      for (Sink s : resync) {
        try {
          s.onResync(ResyncReason.RECONNECTED);
        } catch (RuntimeException e) {
          LOG.warn("A resync handler failed: {}", e.toString());
        }
      }
    }

    @Override
    public void onMessage(byte[] channel, byte[] message) {
      lastHeard = System.nanoTime();
      Channel c;
      synchronized (lock) {
        c = channels.get(new String(channel, UTF_8));
      }
      if (c == null) {
        return;
      }
      for (Sink s : c.sinks) {
        try {
          s.onMessage(message);
        } catch (RuntimeException e) {
          LOG.warn("An event sink failed: {}", e.toString());
        }
      }
    }

    @Override
    public void onPong(byte[] pattern) {
      lastHeard = System.nanoTime();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
