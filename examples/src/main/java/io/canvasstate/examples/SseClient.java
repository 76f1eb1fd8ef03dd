package io.canvasstate.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A minimal Server-Sent Events client on {@link HttpClient}, for the demo and the tests: a
 * daemon thread reads the stream and keeps every event, with the time it arrived. Thread-safe.
 */
final class SseClient implements AutoCloseable {
  /** One event: its name, its data, and {@link System#nanoTime()} when it arrived. */
  record Event(String name, String data, long arrivedNanos) {}

  private final InputStream body;
  private final Thread reader;
  private final List<Event> events = new ArrayList<>();
  private volatile boolean ended;

  private SseClient(InputStream body, String name) {
    this.body = body;
    this.reader = new Thread(this::read, "sse-client-" + name);
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Opens a stream and waits until its {@code hello} event arrived (the server has subscribed).
   *
   * @throws IOException if the server does not answer 200 or no hello comes within the timeout
   */
  static SseClient open(HttpClient http, URI uri, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .header("Accept", "text/event-stream").timeout(timeout).GET().build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IOException("GET " + uri + " answered " + response.statusCode());
    }
    SseClient client = new SseClient(response.body(), uri.getPort() + uri.getPath());
    if (client.await(e -> e.name().equals("hello"), timeout).isEmpty()) {
      client.close();
      throw new IOException("no hello event from " + uri + " within " + timeout);
    }
    return client;
  }

  /** Waits for an event matching {@code p}; empty if none came within the timeout. */
  synchronized Optional<Event> await(Predicate<Event> p, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Event e : events) {
        if (p.test(e)) {
          return Optional.of(e);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || ended) {
        return Optional.empty();
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** Every event received so far. */
  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, UTF_8))) {
      String name = "message";
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            add(new Event(name, data.toString(), System.nanoTime()));
          }
          name = "message";
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          name = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).trim());
        }
      }
    } catch (IOException e) {
      // the stream was closed, by us or by the server
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  private synchronized void add(Event e) {
    events.add(e);
    notifyAll();
  }

  /** Closes the stream and waits briefly for the reading thread to end. */
  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      // closing anyway
    }
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
