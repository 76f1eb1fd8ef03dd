package io.canvasstate.failover;

import static io.canvasstate.failover.FailoverState.CLOSED;
import static io.canvasstate.failover.FailoverState.FAILED_OVER;
import static io.canvasstate.failover.FailoverState.HEALTHY;
import static io.canvasstate.failover.FailoverState.RECOVERING;

import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The failover state and its legal moves, after Resilience4j's CircuitBreakerStateMachine: the
 * transitions are data, the current state sits in one {@link AtomicReference}, and asking for an
 * illegal move is a bug that throws. Thread-safe.
 */
final class StateMachine {
  /** The legal moves from each state. */
  static final Map<FailoverState, Set<FailoverState>> LEGAL = legal();

  /** The current state and when it was entered. */
  record Current(FailoverState state, Instant since) {}

  private final AtomicReference<Current> current;
  private final InstantSource clock;

  StateMachine(FailoverState initial, InstantSource clock) {
    this.clock = clock;
    this.current = new AtomicReference<>(new Current(initial, clock.instant()));
  }

  private static Map<FailoverState, Set<FailoverState>> legal() {
    Map<FailoverState, Set<FailoverState>> m = new EnumMap<>(FailoverState.class);
    m.put(HEALTHY, EnumSet.of(FAILED_OVER, CLOSED));
    m.put(FAILED_OVER, EnumSet.of(RECOVERING, CLOSED));
    m.put(RECOVERING, EnumSet.of(HEALTHY, FAILED_OVER, CLOSED));
    m.put(CLOSED, EnumSet.noneOf(FailoverState.class));
    return m;
  }

  FailoverState state() {
    return current.get().state();
  }

  Current current() {
    return current.get();
  }

  /**
   * Moves from {@code from} to {@code to} if the state is {@code from}.
   *
   * @return the event, or empty if the state was not {@code from} (another thread moved it)
   * @throws IllegalStateException if {@code from -> to} is not a legal move
   */
  Optional<TransitionEvent> transition(
      FailoverState from, FailoverState to, TransitionEvent.Reason reason,
      @Nullable Throwable cause) {
    if (!LEGAL.get(from).contains(to)) {
      throw new IllegalStateException("illegal failover transition " + from + " -> " + to
          + " (" + reason + "); legal from " + from + ": " + LEGAL.get(from));
    }
    Current before = current.get();
    if (before.state() != from) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (!current.compareAndSet(before, new Current(to, now))) {
      return Optional.empty();
    }
    return Optional.of(new TransitionEvent(from, to, reason, now,
        Optional.ofNullable(cause).map(StateMachine::describe)));
  }

  /** Moves to {@code CLOSED} from wherever the state is. */
  Optional<TransitionEvent> close() {
    while (true) {
      FailoverState s = state();
      if (s == CLOSED) {
        return Optional.empty();
      }
      Optional<TransitionEvent> e = transition(s, CLOSED, TransitionEvent.Reason.CLOSED, null);
      if (e.isPresent()) {
        return e;
      }
    }
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }
}
