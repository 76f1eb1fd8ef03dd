package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.examples.QuickStart.Shape;
import io.canvasstate.inmemory.InMemoryCanvasStore;
import io.canvasstate.persistence.JsonFileCanvasRepository;
import io.canvasstate.persistence.Persistence;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persistence example's steps, on the in-memory store and JSON files. */
class PersistenceExampleTest {
  @TempDir
  Path dir;

  @Test
  void run_inMemoryWithJsonFiles_savesOnCloseAndReadsBack() {
    JsonFileCanvasRepository<Shape> repository =
        JsonFileCanvasRepository.open(dir, PersistenceExample.SHAPES);
    Persistence<Shape> persistence = Persistence.builder(repository).build();
    InMemoryCanvasStore<Shape> canvas =
        InMemoryCanvasStore.builder(PersistenceExample.SHAPES, persistence).build();

    PersistenceExample.run(canvas, persistence, repository);

    assertThat(repository.load("persistence-demo")).containsOnlyKeys("rect-1", "text-1");
    assertThat(persistence.stats().savedObjects()).isEqualTo(2);
  }
}
