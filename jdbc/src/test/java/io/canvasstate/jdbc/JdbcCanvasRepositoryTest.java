package io.canvasstate.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.Codec;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreException;
import io.canvasstate.contract.CanvasRepositoryContract;
import io.canvasstate.contract.TestShape;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The repository contract, and the table, on a real PostgreSQL. */
class JdbcCanvasRepositoryTest extends CanvasRepositoryContract {
  @RegisterExtension
  static final PostgresDatabase postgres = new PostgresDatabase();

  private static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);

  @Override
  protected <T> CanvasRepository<T> newRepository(Codec<T> codec) {
    return JdbcCanvasRepository.builder(postgres.dataSource(), codec)
        .table(postgres.table("canvas_objects")).build();
  }

  private List<List<String>> rows(String sql) throws SQLException {
    List<List<String>> out = new ArrayList<>();
    try (Connection c = postgres.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      int columns = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(r.getString(i));
        }
        out.add(row);
      }
    }
    return out;
  }

  @Test
  void save_project_writesOneRowPerObjectAndAFenceRow() throws SQLException {
    JdbcCanvasRepository<TestShape> repo = JdbcCanvasRepository.builder(postgres.dataSource(),
        SHAPES).table(postgres.table("rows_test")).build();

    repo.save(new ProjectChanges<>("board-1", 77, Map.of("a", new TestShape("a", 1, 2)),
        Set.of()));

    assertThat(rows("SELECT project_id, object_id, value, fence FROM " + repo.table()
        + " ORDER BY object_id")).containsExactly(
            Arrays.asList("board-1", "", null, "77"),
            List.of("board-1", "a", "{\"id\":\"a\",\"kind\":\"rect\",\"x\":1,\"y\":2,\"tags\":[]}",
                "77"));
  }

  @Test
  void build_twice_createsTheTableOnceWithItsColumns() throws SQLException {
    String table = postgres.table("twice");
    JdbcCanvasRepository.builder(postgres.dataSource(), SHAPES).table(table).build();
    JdbcCanvasRepository.builder(postgres.dataSource(), SHAPES).table(table).build();

    assertThat(rows("SELECT column_name, data_type FROM information_schema.columns"
        + " WHERE table_schema || '.' || table_name = '" + table + "' ORDER BY ordinal_position"))
        .containsExactly(List.of("project_id", "text"), List.of("object_id", "text"),
            List.of("value", "text"), List.of("fence", "bigint"),
            List.of("updated_at", "timestamp with time zone"));
  }

  @Test
  void save_tableThatDoesNotExist_throwsNamingProjectAndTable() {
    JdbcCanvasRepository<TestShape> repo = JdbcCanvasRepository.builder(postgres.dataSource(),
        SHAPES).table(postgres.table("missing")).createTable(false).build();

    assertThatThrownBy(() -> repo.save(new ProjectChanges<>("p", 1,
        Map.of("a", new TestShape("a", 1, 1)), Set.of())))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("\"p\"")
        .hasMessageContaining(postgres.table("missing"));
    assertThatThrownBy(() -> repo.load("p"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(postgres.table("missing"));
  }

  @Test
  void table_notAPlainName_isRejectedBeforeAnySql() {
    JdbcCanvasRepository.Builder<TestShape> b =
        JdbcCanvasRepository.builder(postgres.dataSource(), SHAPES);

    for (String bad : List.of("", "1abc", "a.b.c", "x; DROP TABLE y", "\"quoted\"", "a-b",
        "x".repeat(64))) {
      assertThatThrownBy(() -> b.table(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table");
    }
    assertThat(b.table("app.Canvas_2").createTable(false).build().table())
        .isEqualTo("app.Canvas_2");
  }

  @Test
  void load_valueTheCodecCannotRead_throwsNamingObjectProjectAndTable() throws SQLException {
    JdbcCanvasRepository<TestShape> repo = JdbcCanvasRepository.builder(postgres.dataSource(),
        SHAPES).table(postgres.table("bad_values")).build();
    try (Connection c = postgres.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO " + repo.table() + " (project_id, object_id, value, fence)"
          + " VALUES ('p', 'broken', '{not json', 1)");
    }

    assertThatThrownBy(() -> repo.load("p"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("\"broken\"")
        .hasMessageContaining("\"p\"")
        .hasMessageContaining(repo.table());
  }
}
