package io.canvasstate.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One Server-Sent Events connection: a bounded queue of frames that listeners fill and the
 * connection's thread writes out. When a slow client lets the queue fill up, what is queued is
 * dropped and replaced by one {@code resync} frame, so the page reloads instead of drifting.
 * Thread-safe.
 */
final class SseStream {
  private static final String END = "";
  private static final int CAPACITY = 2048;

  private final String projectId;
  private final BlockingQueue<String> frames = new ArrayBlockingQueue<>(CAPACITY);

  SseStream(String projectId) {
    this.projectId = projectId;
  }

  String projectId() {
    return projectId;
  }

  /** Queues one event; {@code json} must be one line of JSON. */
  void send(String event, String json) {
    String frame = "event: " + event + "\ndata: " + json + "\n\n";
    if (!frames.offer(frame)) {
      synchronized (this) {
        frames.clear();
        frames.offer("event: resync\ndata: {\"scope\":\"all\",\"reason\":\"SLOW_CLIENT\"}\n\n");
      }
    }
  }

  /** Makes {@link #pump} return once it has written what is queued. */
  void end() {
    synchronized (this) {
      if (!frames.offer(END)) {
        frames.clear();
        frames.offer(END);
      }
    }
  }

  /**
   * Writes frames to the client until {@link #end} or until the client goes away; sends a
   * comment every {@code keepAlive} so that proxies and the client notice a dead connection.
   *
   * @throws IOException when the client has gone away
   * @throws InterruptedException when the server stops
   */
  void pump(OutputStream out, Duration keepAlive) throws IOException, InterruptedException {
    out.write("retry: 2000\n\n".getBytes(UTF_8));
    out.flush();
    while (true) {
      String frame = frames.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
      if (frame == null) {
        frame = ": keep-alive\n\n";
      } else if (frame.isEmpty()) {
        return;
      }
      out.write(frame.getBytes(UTF_8));
      String more;
      while ((more = frames.poll()) != null && !more.isEmpty()) {
        out.write(more.getBytes(UTF_8));
      }
      out.flush();
      if (more != null) {
        return;
      }
    }
  }
}
