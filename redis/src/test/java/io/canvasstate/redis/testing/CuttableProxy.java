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

/**
 * A loopback TCP proxy in front of a Redis server whose link can be cut, to cut one application
 * instance off from a Redis that other instances keep using: a network partition, not a dead
 * server.
 *
 * <pre>{@code
 * try (CuttableProxy link = CuttableProxy.start(redis)) {
 *   ... one instance's stores configured with link.url(), another's with redis.url() ...
 *   link.cut();      // open connections are reset, new ones closed at once
 *   link.restore();  // connections go through again
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class CuttableProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean closed;

  private CuttableProxy(ServerSocket listener, String targetHost, int targetPort) {
    this.listener = listener;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  /** Starts a proxy in front of {@code server}, with the link up. */
  public static CuttableProxy start(RedisServer server) {
    try {
      ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      CuttableProxy proxy = new CuttableProxy(listener, server.host(), server.port());
      daemon("cuttable-proxy-accept", proxy::acceptLoop).start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code redis://127.0.0.1:<proxy port>}. */
  public String url() {
    return "redis://127.0.0.1:" + listener.getLocalPort();
  }

  /** Resets every open connection and closes new ones at once, until {@link #restore()}. */
  public void cut() {
    cut = true;
    closeAll();
  }

  /** Lets connections through again. */
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
        daemon("cuttable-proxy-up", () -> pump(client, upstream)).start();
        daemon("cuttable-proxy-down", () -> pump(upstream, client)).start();
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[16 * 1024];
    try (from; to) {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed or was cut: closing both ends (try-with-resources) is all there is to do
    } finally {
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private void closeAll() {
    for (Socket s : sockets) {
      try {
        s.setSoLinger(true, 0);
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
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
    closeAll();
  }
}
