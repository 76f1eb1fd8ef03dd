package io.canvasstate.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.Codec;
import io.canvasstate.PresenceEvent;
import io.canvasstate.Subscription;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.PresenceEventsContract;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The presence event contract on the in-memory store: expiry follows a manual clock and is
 * noticed by the store's own sweep thread, never by a read from the test.
 */
class InMemoryPresenceEventsTest extends PresenceEventsContract {
  private static final Duration TTL = Duration.ofSeconds(30);
  private final ManualClock clock = ManualClock.create();

  @Override
  protected Stores createStores() {
    InMemoryPresenceStore<String> store = InMemoryPresenceStore.builder(Codec.string())
        .clock(clock)
        .ttl(TtlPolicy.DEFAULT.withPresenceTtl(TTL))
        .sweepInterval(Duration.ofMillis(20))
        .build();
    return new Stores(store, store);
  }

  @Override
  protected void letPresenceExpire() {
    clock.advance(TTL.plusMillis(1));
  }

  @Test
  void sweepThread_runsOnlyWhileThereAreListeners() {
    long before = sweepThreads();
    Subscription s = observed.subscribe(recorder::add);
    assertThat(sweepThreads()).isEqualTo(before + 1);

    s.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> sweepThreads() == before);
  }

  @Test
  void sweepExpired_calledDirectly_deliversLeftOnce() {
    InMemoryPresenceStore<String> store = (InMemoryPresenceStore<String>) observed;
    store.put(user, "{}");
    java.util.List<PresenceEvent<String>> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    store.subscribe(got::add);
    clock.advance(TTL);

    store.sweepExpired();
    store.sweepExpired();

    assertThat(got).containsExactly(new PresenceEvent.Left<>(user,
        PresenceEvent.Left.Reason.EXPIRED, store.instanceId()));
    assertThat(store.activeUsers()).doesNotContain(user);
  }

  private static long sweepThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("canvasstate-presence-sweep-"))
        .count();
  }
}
