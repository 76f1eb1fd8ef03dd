package io.canvasstate.redis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a Redis server that counts network round trips: a round trip
 * starts each time a client sends after it last received (or first sends), so a pipeline of any
 * length is one, and two commands waiting for each other are two. Its link can also be
 * {@linkplain #cut() cut}, to cut one application instance off from a Redis other instances keep
 * using: a network partition, not a dead server.
 *
 * <pre>{@code
 * try (RoundTripCounter counter = RoundTripCounter.start(redis)) {
 *   ... stores configured with counter.url() ...
 *   counter.reset();
 *   store.get("p", "o");
 *   assertThat(counter.roundTrips()).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>Counts are exact for operations that run one after another; connection setup (HELLO,
 * AUTH, CLIENT SETNAME) counts too, so warm the pool up before {@link #reset()}. Thread-safe.
 */
public final class RoundTripCounter implements AutoCloseable {
  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final AtomicLong roundTrips = new AtomicLong();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean closed;

  private RoundTripCounter(ServerSocket listener, String targetHost, int targetPort) {
    this.listener = listener;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  /** Starts a counting proxy in front of {@code server}. */
  public static RoundTripCounter start(RedisServer server) {
    try {
      ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      RoundTripCounter counter = new RoundTripCounter(listener, server.host(), server.port());
      daemon("round-trip-counter-accept", counter::acceptLoop).start();
      return counter;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code redis://127.0.0.1:<proxy port>}. */
  public String url() {
    return "redis://127.0.0.1:" + listener.getLocalPort();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Round trips since the start or the last {@link #reset()}. */
  public long roundTrips() {
    return roundTrips.get();
  }

  public void reset() {
    roundTrips.set(0);
  }

  /**
   * Cuts the link: resets every open connection and closes new ones at once, until
   * {@link #restore()}.
   */
  public void cut() {
    cut = true;
    closeAll(true);
  }

  /** Lets connections through again after {@link #cut()}. */
  public void restore() {
    cut = false;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        if (cut) {
          client.setSoLinger(true, 0);
          client.close();
          continue;
        }
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(targetHost, targetPort), 2000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(upstream);
        // True while the client's next bytes start a new round trip.
        AtomicBoolean awaitingRequest = new AtomicBoolean(true);
        daemon("round-trip-counter-up", () -> pump(client, upstream, awaitingRequest, true)).start();
        daemon("round-trip-counter-down", () -> pump(upstream, client, awaitingRequest, false))
            .start();
      } catch (IOException e) {
        if (!closed) {
          continue; // one failed connection; the client sees it closed
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicBoolean awaitingRequest, boolean request) {
    byte[] buf = new byte[16 * 1024];
    try (from; to) {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        if (request) {
          if (awaitingRequest.getAndSet(false)) {
            roundTrips.incrementAndGet();
          }
        } else {
          awaitingRequest.set(true);
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the other side closed: closing both ends (try-with-resources) is all there is to do
    } finally {
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  /** Stops accepting and closes every proxied connection. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    closeAll(false);
  }

  /** Closes every proxied connection; {@code reset} sends RST, as a cut link does, not FIN. */
  private void closeAll(boolean reset) {
    for (Socket s : sockets) {
      try {
        if (reset) {
          s.setSoLinger(true, 0);
        }
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
