package io.canvasstate.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.CanvasEvent;
import io.canvasstate.Codec;
import io.canvasstate.ResyncReason;
import io.canvasstate.contract.CanvasEventsContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The event contract on the in-memory store, where events are delivered synchronously. */
class InMemoryCanvasEventsTest extends CanvasEventsContract {
  private final ManualClock clock = ManualClock.create();

  @Override
  protected Stores createStores() {
    InMemoryCanvasStore<String> store =
        InMemoryCanvasStore.builder(Codec.string()).clock(clock).build();
    return new Stores(store, store);
  }

  @Test
  void put_isDeliveredBeforePutReturns() {
    observed.subscribe(project, recorder::add);

    writer.put(project, "a", json(1));

    assertThat(recorder.events()).hasSize(1);
  }

  @Test
  void clear_ofExpiredProject_deliversNothing() {
    writer.put(project, "a", json(1));
    observed.subscribe(project, recorder::add);
    clock.advance(Duration.ofHours(2));

    writer.clear(project);

    assertThat(recorder.events()).isEmpty();
  }

  @Test
  void putEncoded_ofUndecodableValue_deliversResync() {
    InMemoryCanvasStore<Integer> ints = InMemoryCanvasStore.builder(INTEGERS).instanceId("me").build();
    java.util.List<CanvasEvent<Integer>> got = new java.util.ArrayList<>();
    ints.subscribe(project, got::add);

    ints.putEncoded(project, "a", "not a number".getBytes(StandardCharsets.UTF_8));
    ints.put(project, "b", 7);

    assertThat(got).containsExactly(
        new CanvasEvent.Resync<>(project, ResyncReason.UNDECODABLE_EVENT),
        new CanvasEvent.Put<>(project, "b", 7, "me"));
    ints.close();
  }
}
