package io.canvasstate.inmemory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.Codec;
import io.canvasstate.PresenceStore;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.PresenceStoreContract;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The presence contract on the in-memory store, plus what only the in-memory store has. */
class InMemoryPresenceStoreTest extends PresenceStoreContract {
  private final ManualClock clock = ManualClock.create();

  @Override
  protected <P> PresenceStore<P> newPresenceStore(Codec<P> codec, TtlPolicy ttl,
      int maxValueBytes) {
    return InMemoryPresenceStore.builder(codec).clock(clock).ttl(ttl)
        .maxValueBytes(maxValueBytes).build();
  }

  @Override
  protected void elapse(Duration duration) {
    clock.advance(duration);
  }

  @Override
  protected void writeEncoded(PresenceStore<?> store, String userId, byte[] bytes) {
    ((InMemoryPresenceStore<?>) store).putEncoded(userId, bytes);
  }

  /** Lifetimes unlike the default and unlike each other, to catch one used for the other. */
  @Override
  protected TtlPolicy shortTtl() {
    return new TtlPolicy(Duration.ofSeconds(7), Duration.ofMinutes(2));
  }

  private InMemoryPresenceStore<String> strings() {
    return closeAfterTest(InMemoryPresenceStore.builder(Codec.string()).clock(clock)
        .ttl(TtlPolicy.DEFAULT.withPresenceTtl(Duration.ofSeconds(30))).build());
  }

  @Test
  void get_exactlyAtPresenceTtl_userHasExpired() {
    InMemoryPresenceStore<String> store = strings();
    store.put("u", "here");

    clock.advance(Duration.ofMillis(29_999));
    assertThat(store.activeUsers()).containsExactly("u");
    clock.advance(Duration.ofMillis(1));

    assertThat(store.get("u")).isEmpty();
    assertThat(store.activeUsers()).isEmpty();
  }

  @Test
  void activeUsers_manyExpired_prunesThemAndKeepsTheLive() {
    InMemoryPresenceStore<String> store = strings();
    for (int i = 0; i < 1_000; i++) {
      store.put("gone" + i, "x");
    }
    clock.advance(Duration.ofSeconds(20));
    store.put("live", "x");
    clock.advance(Duration.ofSeconds(11));

    assertThat(store.activeUsers()).containsExactly("live");
    assertThat(store.getAll()).containsOnlyKeys("live");
  }

  @Test
  void undecodableValues_afterGetAllLeftOneOut_countsIt() {
    InMemoryPresenceStore<io.canvasstate.contract.TestShape> store = closeAfterTest(
        InMemoryPresenceStore.builder(io.canvasstate.JacksonCodec.of(
            io.canvasstate.contract.TestShape.class)).clock(clock).build());
    store.putEncoded("u", "[".getBytes(UTF_8));

    assertThat(store.getAll()).isEmpty();

    assertThat(store.undecodableValues()).isEqualTo(1);
    assertThat(store.activeUsers()).containsExactly("u");
  }

  @Test
  void everyOperation_afterClose_throwsIllegalState() {
    InMemoryPresenceStore<String> store = strings();
    store.close();

    assertThatThrownBy(() -> store.put("u", "x"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(store::getAll).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.get("u")).isInstanceOf(IllegalStateException.class);
  }
}
