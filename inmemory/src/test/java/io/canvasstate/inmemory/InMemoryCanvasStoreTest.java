package io.canvasstate.inmemory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.CanvasStoreContract;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The canvas contract on the in-memory store, plus what only the in-memory store has. */
class InMemoryCanvasStoreTest extends CanvasStoreContract {
  private final ManualClock clock = ManualClock.create();

  @Override
  protected <T> CanvasStore<T> newCanvasStore(Codec<T> codec, TtlPolicy ttl, int maxValueBytes) {
    return InMemoryCanvasStore.builder(codec).clock(clock).ttl(ttl).maxValueBytes(maxValueBytes)
        .build();
  }

  @Override
  protected void elapse(Duration duration) {
    clock.advance(duration);
  }

  @Override
  protected void writeEncoded(CanvasStore<?> store, String projectId, String objectId,
      byte[] bytes) {
    ((InMemoryCanvasStore<?>) store).putEncoded(projectId, objectId, bytes);
  }

  /** Lifetimes unlike the default and unlike each other, to catch one used for the other. */
  @Override
  protected TtlPolicy shortTtl() {
    return new TtlPolicy(Duration.ofMinutes(10), Duration.ofSeconds(7));
  }

  private InMemoryCanvasStore<String> strings(Duration canvasTtl) {
    return closeAfterTest(InMemoryCanvasStore.builder(Codec.string()).clock(clock)
        .ttl(TtlPolicy.DEFAULT.withCanvasTtl(canvasTtl)).build());
  }

  @Test
  void get_exactlyAtCanvasTtl_projectHasExpired() {
    InMemoryCanvasStore<String> store = strings(Duration.ofSeconds(10));
    store.put("p", "a", "1");

    clock.advance(Duration.ofMillis(9_999));
    assertThat(store.activeProjects()).containsExactly("p");
    clock.advance(Duration.ofMillis(1));

    assertThat(store.activeProjects()).isEmpty();
    assertThat(store.get("p", "a")).isEmpty();
  }

  @Test
  void undecodableValues_afterGetAllsLeftValuesOut_countsEachLeftOut() {
    InMemoryCanvasStore<String> plain = strings(Duration.ofHours(1));
    InMemoryCanvasStore<io.canvasstate.contract.TestShape> store = closeAfterTest(
        InMemoryCanvasStore.builder(io.canvasstate.JacksonCodec.of(
            io.canvasstate.contract.TestShape.class)).clock(clock).build());
    store.putEncoded("p", "bad", "{".getBytes(UTF_8));
    store.putEncoded("p", "worse", "}".getBytes(UTF_8));

    assertThat(store.getAll("p")).isEmpty();
    assertThat(store.getAll("p")).isEmpty();

    assertThat(store.undecodableValues()).isEqualTo(4);
    assertThat(plain.undecodableValues()).isZero();
  }

  @Test
  void putEncoded_overSizeLimit_isStoredAsAnotherClientWouldBe() {
    InMemoryCanvasStore<String> store = closeAfterTest(
        InMemoryCanvasStore.builder(Codec.string()).clock(clock).maxValueBytes(4).build());

    store.putEncoded("p", "a", "123456".getBytes(UTF_8));

    assertThat(store.get("p", "a")).contains("123456");
    assertThat(store.activeProjects()).containsExactly("p");
  }

  @Test
  void everyOperation_afterClose_throwsIllegalState() {
    InMemoryCanvasStore<String> store = strings(Duration.ofHours(1));
    store.put("p", "a", "1");

    store.close();
    store.close();

    assertThatThrownBy(() -> store.get("p", "a"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> store.put("p", "a", "2")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(store::activeProjects).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.clear("p")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void activeProjects_manyProjectsExpired_prunesThemAndKeepsTheLive() {
    InMemoryCanvasStore<String> store = strings(Duration.ofMinutes(1));
    for (int i = 0; i < 1_000; i++) {
      store.put("old" + i, "a", "1");
    }
    clock.advance(Duration.ofSeconds(30));
    store.put("live", "a", "1");
    clock.advance(Duration.ofSeconds(31));

    assertThat(store.activeProjects()).containsExactly("live");
    assertThat(store.count("old7")).isZero();
  }

  @Test
  void clockSetBackwards_projectsStayAliveUntilTheirExpiry() {
    InMemoryCanvasStore<String> store = strings(Duration.ofMinutes(1));
    store.put("p", "a", "1");
    Instant start = clock.instant();

    clock.set(start.minus(Duration.ofHours(1)));
    store.put("q", "a", "1");
    clock.set(start.plus(Duration.ofSeconds(59)));

    assertThat(store.activeProjects()).containsExactly("p");
  }

  @Test
  void closeStores_afterATest_closesEveryStoreTheTestMade() throws Exception {
    InMemoryCanvasStore<String> store = strings(Duration.ofHours(1));

    closeStores();

    assertThatThrownBy(() -> store.count("p")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void builder_badArguments_areRejected() {
    assertThatThrownBy(() -> InMemoryCanvasStore.builder(Codec.string()).maxValueBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxValueBytes");
    assertThatThrownBy(() -> InMemoryCanvasStore.builder(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> InMemoryCanvasStore.builder(Codec.string()).clock(null))
        .isInstanceOf(NullPointerException.class);
    assertThat(InMemoryCanvasStore.create(Codec.string()).ttl()).isEqualTo(TtlPolicy.DEFAULT);
  }
}
