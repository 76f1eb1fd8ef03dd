package io.canvasstate.failover;

import static io.canvasstate.failover.FailoverState.CLOSED;
import static io.canvasstate.failover.FailoverState.FAILED_OVER;
import static io.canvasstate.failover.FailoverState.HEALTHY;
import static io.canvasstate.failover.FailoverState.RECOVERING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StateMachineTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = now::get;

  @Test
  void legal_everyState_listsExactlyTheDocumentedMoves() {
    assertThat(StateMachine.LEGAL).containsOnlyKeys(FailoverState.values());
    assertThat(StateMachine.LEGAL.get(HEALTHY)).containsExactlyInAnyOrder(FAILED_OVER, CLOSED);
    assertThat(StateMachine.LEGAL.get(FAILED_OVER)).containsExactlyInAnyOrder(RECOVERING, CLOSED);
    assertThat(StateMachine.LEGAL.get(RECOVERING))
        .containsExactlyInAnyOrder(HEALTHY, FAILED_OVER, CLOSED);
    assertThat(StateMachine.LEGAL.get(CLOSED)).isEmpty();
  }

  @Test
  void transition_illegalMove_throwsNamingBothStates() {
    StateMachine m = new StateMachine(HEALTHY, clock);

    for (FailoverState from : FailoverState.values()) {
      for (FailoverState to : EnumSet.complementOf(EnumSet.copyOf(StateMachine.LEGAL.get(from)))) {
        assertThatThrownBy(() -> m.transition(from, to, TransitionEvent.Reason.CLOSED, null))
            .as(from + " -> " + to)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(from + " -> " + to);
      }
    }
    assertThat(m.state()).isEqualTo(HEALTHY);
  }

  @Test
  void transition_fromCurrentState_movesAndReportsTimeCauseAndReason() {
    StateMachine m = new StateMachine(HEALTHY, clock);
    now.set(now.get().plusSeconds(5));

    Optional<TransitionEvent> e = m.transition(HEALTHY, FAILED_OVER,
        TransitionEvent.Reason.PRIMARY_UNAVAILABLE, new StoreUnavailableException("refused"));

    assertThat(e).contains(new TransitionEvent(HEALTHY, FAILED_OVER,
        TransitionEvent.Reason.PRIMARY_UNAVAILABLE, now.get(), Optional.of("refused")));
    assertThat(m.current()).isEqualTo(new StateMachine.Current(FAILED_OVER, now.get()));
  }

  @Test
  void transition_fromAnotherState_doesNothing() {
    StateMachine m = new StateMachine(HEALTHY, clock);

    assertThat(m.transition(FAILED_OVER, RECOVERING, TransitionEvent.Reason.PRIMARY_REACHABLE,
        null)).isEmpty();
    assertThat(m.state()).isEqualTo(HEALTHY);
  }

  @Test
  void transition_twoThreadsRace_exactlyOneWins() throws Exception {
    for (int round = 0; round < 200; round++) {
      StateMachine m = new StateMachine(HEALTHY, clock);
      int[] wins = new int[2];
      Thread[] threads = new Thread[2];
      for (int t = 0; t < 2; t++) {
        int me = t;
        threads[t] = new Thread(() -> wins[me] = m.transition(HEALTHY, FAILED_OVER,
            TransitionEvent.Reason.PRIMARY_UNAVAILABLE, null).isPresent() ? 1 : 0);
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(wins[0] + wins[1]).as("round " + round).isEqualTo(1);
    }
  }

  @Test
  void close_fromAnyState_endsClosedOnce() {
    StateMachine m = new StateMachine(HEALTHY, clock);
    m.transition(HEALTHY, FAILED_OVER, TransitionEvent.Reason.PRIMARY_UNAVAILABLE, null);
    now.set(now.get().plus(Duration.ofMinutes(1)));

    assertThat(m.close()).hasValueSatisfying(e -> {
      assertThat(e.from()).isEqualTo(FAILED_OVER);
      assertThat(e.to()).isEqualTo(CLOSED);
      assertThat(e.reason()).isEqualTo(TransitionEvent.Reason.CLOSED);
    });
    assertThat(m.close()).isEmpty();
    assertThat(m.state()).isEqualTo(CLOSED);
  }
}
