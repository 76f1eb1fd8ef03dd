package io.canvasstate.contract;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A listener that records the events it receives, for tests: works as a {@code CanvasListener}
 * or {@code PresenceListener} through a method reference ({@code recorder::add}). Thread-safe.
 *
 * @param <E> the event type
 */
public final class EventRecorder<E> implements Consumer<E> {
  /** How long a test waits for an event: generous, the machines running the tests are loaded. */
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final List<E> events = new ArrayList<>();

  /** Records an event. */
  public synchronized void add(E event) {
    events.add(event);
  }

  @Override
  public void accept(E event) {
    add(event);
  }

  /** What was received so far, in order. */
  public synchronized List<E> events() {
    return List.copyOf(events);
  }

  /** Forgets what was received. */
  public synchronized void clear() {
    events.clear();
  }

  /** Waits until {@code n} events have arrived and returns all received by then. */
  public List<E> awaitCount(int n) {
    await().atMost(TIMEOUT).until(() -> events().size() >= n);
    return events();
  }

  /** Waits until an event matching {@code p} has arrived and returns all received by then. */
  public List<E> awaitMatch(Predicate<? super E> p) {
    await().atMost(TIMEOUT).until(() -> events().stream().anyMatch(p));
    return events();
  }
}
