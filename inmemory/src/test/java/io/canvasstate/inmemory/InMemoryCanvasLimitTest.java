package io.canvasstate.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.CanvasTooLargeException;
import io.canvasstate.Codec;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.Persistence;
import io.canvasstate.persistence.ProjectChanges;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The canvas object limit in memory: the same rule as in Redis, so the fallback agrees. */
class InMemoryCanvasLimitTest {
  static Map<String, String> objects(String prefix, int n) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      out.put(prefix + i, "{\"n\":" + i + "}");
    }
    return out;
  }

  @Test
  void writes_canvasAtTheLimit_newObjectsRefused_updatesAccepted() {
    InMemoryCanvasStore<String> store =
        InMemoryCanvasStore.builder(Codec.string()).maxCanvasObjects(3).build();
    store.putAll("p", objects("o", 3));

    assertThatThrownBy(() -> store.put("p", "new", "{}"))
        .isInstanceOf(CanvasTooLargeException.class)
        .hasMessageContaining("\"p\"").hasMessageContaining("3");
    assertThatThrownBy(() -> store.putIfAbsent("p", "new", "{}"))
        .isInstanceOf(CanvasTooLargeException.class);
    assertThatThrownBy(() -> store.getAndPut("p", "new", "{}"))
        .isInstanceOf(CanvasTooLargeException.class);
    assertThatThrownBy(() -> store.putAll("p", Map.of("o0", "{}", "new", "{}")))
        .isInstanceOf(CanvasTooLargeException.class);
    store.put("p", "o1", "{\"updated\":true}");
    store.putAll("p", objects("o", 2));

    assertThat(store.ids("p")).containsExactlyInAnyOrder("o0", "o1", "o2");
    assertThat(store.get("p", "o0")).contains("{\"n\":0}");
  }

  @Test
  void readThrough_projectOverTheLimit_isRefusedAndNotLoaded() {
    CanvasRepository<String> repository = new CanvasRepository<>() {
      @Override
      public Map<String, String> load(String projectId) {
        return objects("o", 5);
      }

      @Override
      public boolean save(ProjectChanges<String> changes) {
        return true;
      }
    };
    InMemoryCanvasStore<String> store = InMemoryCanvasStore.builder(Codec.string(),
        Persistence.builder(repository).build()).maxCanvasObjects(4).build();

    assertThatThrownBy(() -> store.get("big", "o1"))
        .isInstanceOf(CanvasTooLargeException.class).hasMessageContaining("\"big\"")
        .hasMessageContaining("4");
  }
}
