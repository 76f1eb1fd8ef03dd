package io.canvasstate.persistence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canvasstate.Codec;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreException;
import io.canvasstate.contract.CanvasRepositoryContract;
import io.canvasstate.contract.TestShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository contract and the file layout of {@link JsonFileCanvasRepository}. */
class JsonFileCanvasRepositoryTest extends CanvasRepositoryContract {
  private static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);

  @TempDir
  Path dir;

  @Override
  protected <T> CanvasRepository<T> newRepository(Codec<T> codec) {
    return JsonFileCanvasRepository.open(dir, codec);
  }

  @Test
  void save_newProject_writesOneReadableJsonFileAndNoTemporaryFile() throws IOException {
    JsonFileCanvasRepository<TestShape> repo = JsonFileCanvasRepository.open(dir, SHAPES);

    repo.save(new ProjectChanges<>("board-7", 42, Map.of("a", new TestShape("a", 1, 2)),
        Set.of()));

    JsonNode file = new ObjectMapper().readTree(dir.resolve("p-board-7.json").toFile());
    assertThat(file.path("projectId").asText()).isEqualTo("board-7");
    assertThat(file.path("fence").asLong()).isEqualTo(42);
    assertThat(file.path("objects").path("a").path("x").asInt()).isEqualTo(1);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("p-board-7.json", ".canvasstate.lock");
    }
  }

  @Test
  void fileName_idsOfEveryShape_areSafeDistinctAndBounded() {
    List<String> ids = List.of("Board", "board", "a/b", "..", "a%2Fb", "\u00e9", "x".repeat(512),
        "x".repeat(511) + "y", "CON", "a.b");
    List<String> names = ids.stream().map(JsonFileCanvasRepository::fileName).toList();

    assertThat(names).doesNotHaveDuplicates();
    assertThat(names).allSatisfy(n -> {
      assertThat(n).startsWith("p-").endsWith(".json").hasSizeLessThanOrEqualTo(120);
      assertThat(n.substring(2)).matches("[a-z0-9_.%~A-F-]+\\.json");
    });
    assertThat(JsonFileCanvasRepository.fileName("board-7")).isEqualTo("p-board-7.json");
    assertThat(JsonFileCanvasRepository.fileName("Board")).isEqualTo("p-%42oard.json");
    assertThat(JsonFileCanvasRepository.fileName("a/b")).isEqualTo("p-a%2Fb.json");
  }

  @Test
  void load_fileOfAnotherProject_throwsNamingTheFile() throws IOException {
    JsonFileCanvasRepository<TestShape> repo = JsonFileCanvasRepository.open(dir, SHAPES);
    Files.writeString(repo.file("p1"), "{\"projectId\":\"p2\",\"fence\":1,\"objects\":{}}");

    assertThatThrownBy(() -> repo.load("p1"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("p-p1.json")
        .hasMessageContaining("\"p2\"");
  }

  @Test
  void loadAndSave_fileThatIsNotJson_throwNamingTheFileAndKeepIt() throws IOException {
    JsonFileCanvasRepository<TestShape> repo = JsonFileCanvasRepository.open(dir, SHAPES);
    Files.writeString(repo.file("p1"), "{\"projectId\":\"p1\", truncated");

    assertThatThrownBy(() -> repo.load("p1"))
        .isInstanceOf(StoreException.class).hasMessageContaining("p-p1.json");
    assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p1", 5,
        Map.of("a", new TestShape("a", 1, 1)), Set.of())))
        .isInstanceOf(StoreException.class).hasMessageContaining("p-p1.json");
    assertThat(Files.readString(repo.file("p1"))).isEqualTo("{\"projectId\":\"p1\", truncated");
  }

  @Test
  void save_valueThatIsNotJson_throwsNamingTheObjectAndWritesNothing() {
    JsonFileCanvasRepository<String> repo = JsonFileCanvasRepository.open(dir, Codec.string());
    repo.save(new ProjectChanges<>("p1", 1, Map.of("a", "{\"ok\":true}"), Set.of()));

    assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p1", 2,
        Map.of("a", "{\"ok\":false}", "b", "not json"), Set.of())))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("\"b\"")
        .hasMessageContaining("\"p1\"");
    assertThat(repo.load("p1")).containsExactlyEntriesOf(Map.of("a", "{\"ok\":true}"));
  }

  @Test
  void save_twoRepositoriesOnOneDirectory_seeEachOthersFences() {
    JsonFileCanvasRepository<TestShape> one = JsonFileCanvasRepository.open(dir, SHAPES);
    JsonFileCanvasRepository<TestShape> two = JsonFileCanvasRepository.open(dir.resolve("."), SHAPES);
    one.save(new ProjectChanges<>("p1", 10, Map.of("a", new TestShape("a", 1, 1)), Set.of()));

    boolean stale = two.save(new ProjectChanges<>("p1", 9, Map.of("a", new TestShape("a", 2, 2)),
        Set.of()));

    assertThat(stale).isFalse();
    assertThat(two.load("p1")).containsExactlyEntriesOf(Map.of("a", new TestShape("a", 1, 1)));
  }

  @Test
  void open_pathThatIsAFile_throwsNamingIt() throws IOException {
    Path file = Files.writeString(dir.resolve("plain"), "x", UTF_8);

    assertThatThrownBy(() -> JsonFileCanvasRepository.open(file, SHAPES))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(file.toString());
  }
}
