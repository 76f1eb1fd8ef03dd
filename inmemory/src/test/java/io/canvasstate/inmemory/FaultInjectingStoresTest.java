package io.canvasstate.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fault switch and the two decorators it drives. */
class FaultInjectingStoresTest {
  private final Faults faults = Faults.create();
  private final InMemoryCanvasStore<String> canvasBehind = InMemoryCanvasStore.create(Codec.string());
  private final FaultInjectingCanvasStore<String> canvas =
      new FaultInjectingCanvasStore<>(canvasBehind, faults);
  private final InMemoryPresenceStore<String> presenceBehind =
      InMemoryPresenceStore.create(Codec.string());
  private final FaultInjectingPresenceStore<String> presence =
      new FaultInjectingPresenceStore<>(presenceBehind, faults);

  @Test
  void everyCall_healthySwitch_reachesTheStore() {
    canvas.put("p", "a", "1");
    presence.put("u", "here");

    assertThat(canvasBehind.get("p", "a")).contains("1");
    assertThat(canvas.getAll("p")).isEqualTo(Map.of("a", "1"));
    assertThat(presence.get("u")).contains("here");
    assertThat(faults.isFailing()).isFalse();
    assertThat(faults.injectedFailures()).isZero();
  }

  @Test
  void everyCall_failSwitchedOn_throwsUnavailableNamingOperationAndNeverReachesStore() {
    canvas.put("p", "a", "1");
    faults.fail();

    Throwable thrown = catchThrowable(() -> canvas.put("p", "a", "2"));

    assertThat(thrown).isInstanceOf(StoreUnavailableException.class)
        .hasMessage("injected: canvas.put failed");
    assertThatThrownBy(() -> canvas.get("p", "a"))
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("canvas.get");
    assertThatThrownBy(() -> canvas.asMap("p").get("a"))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(canvas::activeProjects).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> presence.put("u", "x"))
        .isInstanceOf(StoreUnavailableException.class).hasMessage("injected: presence.put failed");
    assertThatThrownBy(presence::getAll).isInstanceOf(StoreUnavailableException.class);
    assertThat(canvasBehind.get("p", "a")).contains("1");
    assertThat(presenceBehind.activeUsers()).isEmpty();
    assertThat(faults.isFailing()).isTrue();
    assertThat(faults.injectedFailures()).isEqualTo(6);
  }

  @Test
  void recover_afterFail_letsCallsThroughAgain() {
    faults.fail();
    assertThatThrownBy(() -> canvas.put("p", "a", "1")).isInstanceOf(StoreUnavailableException.class);

    faults.recover();
    canvas.put("p", "a", "1");

    assertThat(canvas.get("p", "a")).contains("1");
    assertThat(faults.isFailing()).isFalse();
  }

  @Test
  void failNext_twoCalls_failsExactlyTheNextTwoAcrossStores() {
    faults.failNext(2);

    assertThatThrownBy(() -> canvas.put("p", "a", "1")).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> presence.get("u")).isInstanceOf(StoreUnavailableException.class);
    canvas.put("p", "a", "1");

    assertThat(canvas.get("p", "a")).contains("1");
    assertThat(faults.injectedFailures()).isEqualTo(2);
    assertThat(faults.isFailing()).isFalse();
  }

  @Test
  void failWith_otherException_throwsThatException() {
    faults.failWith(op -> new StoreException("WRONGTYPE in " + op));

    Throwable thrown = catchThrowable(() -> canvas.count("p"));

    assertThat(thrown).isExactlyInstanceOf(StoreException.class)
        .hasMessage("WRONGTYPE in canvas.count");
  }

  @Test
  void failNext_negative_throwsIllegalArgument() {
    assertThatThrownBy(() -> faults.failNext(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> faults.latency(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void latency_set_delaysEachCall() {
    faults.latency(Duration.ofMillis(30));

    long start = System.nanoTime();
    canvas.put("p", "a", "1");
    canvas.get("p", "a");
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(elapsedMillis).isGreaterThanOrEqualTo(60);
    faults.latency(Duration.ZERO);
    assertThat(canvas.get("p", "a")).contains("1");
  }

  @Test
  void latency_interruptedWhileWaiting_throwsUnavailableAndKeepsInterruptFlag() {
    faults.latency(Duration.ofMinutes(1));
    Thread.currentThread().interrupt();

    assertThatThrownBy(() -> canvas.get("p", "a"))
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("interrupted");

    assertThat(Thread.interrupted()).isTrue();
  }

  @Test
  void calls_severalMethods_countsPerMethodIncludingFailedCalls() {
    canvas.put("p", "a", "1");
    canvas.put("p", "b", "2");
    canvas.remove("p", "a");
    canvas.remove("p", "b", "2");
    faults.failNext(1);
    catchThrowable(() -> canvas.get("p", "a"));
    presence.activeUsers();

    assertThat(canvas.calls().snapshot()).containsExactly(
        Map.entry("get", 1L), Map.entry("put", 2L), Map.entry("remove", 2L));
    assertThat(canvas.calls().get("put")).isEqualTo(2);
    assertThat(canvas.calls().get("clear")).isZero();
    assertThat(presence.calls().get("activeUsers")).isEqualTo(1);
    assertThat(canvas.calls()).hasToString("CallCounts{get=1, put=2, remove=2}");

    canvas.calls().reset();
    assertThat(canvas.calls().snapshot()).isEmpty();
  }

  @Test
  void close_whileFailing_closesTheStoreAnyway() {
    faults.fail();

    canvas.close();
    presence.close();

    assertThatThrownBy(() -> canvasBehind.get("p", "a")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(presenceBehind::getAll).isInstanceOf(IllegalStateException.class);
    assertThat(canvas.calls().get("close")).isEqualTo(1);
    assertThat(faults.injectedFailures()).isZero();
  }

  @Test
  void delegate_decorators_returnTheWrappedStores() {
    CanvasStore<String> c = canvas.delegate();
    PresenceStore<String> p = presence.delegate();

    assertThat(c).isSameAs(canvasBehind);
    assertThat(p).isSameAs(presenceBehind);
    assertThat(canvas.toString()).contains("InMemoryCanvasStore");
    assertThat(faults.toString()).contains("failing=false");
  }
}
