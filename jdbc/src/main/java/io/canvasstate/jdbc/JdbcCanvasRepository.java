package io.canvasstate.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.StoreException;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link CanvasRepository} in one SQL table, through JDBC: the durable store of persistence
 * on PostgreSQL (any database that speaks PostgreSQL's {@code INSERT ... ON CONFLICT} and arrays
 * will do, such as CockroachDB or YugabyteDB).
 *
 * <pre>{@code
 * CREATE TABLE IF NOT EXISTS canvas_objects (
 *   project_id text NOT NULL,
 *   object_id  text NOT NULL,          -- '' on the project's fence row
 *   value      text,                   -- the object's JSON; NULL on the fence row
 *   fence      bigint NOT NULL,        -- of the save that wrote the row
 *   updated_at timestamptz NOT NULL DEFAULT now(),
 *   PRIMARY KEY (project_id, object_id))
 * }</pre>
 *
 * <p>One row per object, plus one per project with an empty object id (never a valid id) that
 * holds the largest fence applied. A save is one transaction: it raises that row's fence (an
 * upsert that matches only if the new fence is at least the stored one; a save with a smaller
 * fence matches nothing, and is rolled back and reported as not applied), which also locks the
 * project so saves of one project queue up, then upserts the objects in batches of
 * {@value #BATCH} ({@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE}, one
 * statement per batch) and deletes the deleted ones. Loading is one {@code SELECT}.
 *
 * <p>The table is created when the repository is built, unless {@link Builder#createTable}
 * says not to (a schema managed by migrations). Connections come from the {@link DataSource}, one
 * per call: give it a pool. Thread-safe.
 *
 * @param <T> the type of the canvas objects
 */
public final class JdbcCanvasRepository<T> implements CanvasRepository<T> {
  /** The table's name unless another is given. */
  public static final String DEFAULT_TABLE = "canvas_objects";
  /** The most objects one upsert or delete statement carries. */
  public static final int BATCH = 1000;

  private static final Pattern NAME =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}");

  private final DataSource dataSource;
  private final Codec<T> codec;
  private final String table;
  private final String fenceSql;
  private final String upsertSql;
  private final String deleteSql;
  private final String loadSql;

  private JdbcCanvasRepository(Builder<T> b) {
    this.dataSource = b.dataSource;
    this.codec = b.codec;
    this.table = b.table;
    this.fenceSql = "INSERT INTO " + table + " AS c (project_id, object_id, value, fence)"
        + " VALUES (?, '', NULL, ?) ON CONFLICT (project_id, object_id)"
        + " DO UPDATE SET fence = EXCLUDED.fence, updated_at = now()"
        + " WHERE c.fence <= EXCLUDED.fence RETURNING c.fence";
    this.upsertSql = "INSERT INTO " + table + " AS c (project_id, object_id, value, fence)"
        + " SELECT ?, u.o, u.v, ? FROM unnest(?::text[], ?::text[]) AS u(o, v)"
        + " ON CONFLICT (project_id, object_id)"
        + " DO UPDATE SET value = EXCLUDED.value, fence = EXCLUDED.fence, updated_at = now()";
    this.deleteSql = "DELETE FROM " + table + " WHERE project_id = ? AND object_id = ANY(?::text[])";
    this.loadSql = "SELECT object_id, value FROM " + table
        + " WHERE project_id = ? AND object_id <> ''";
  }

  /** A builder of a repository that takes connections from {@code dataSource}. */
  public static <T> Builder<T> builder(DataSource dataSource, Codec<T> codec) {
    return new Builder<>(requireNonNull(dataSource, "dataSource"), requireNonNull(codec, "codec"));
  }

  /** The table, as given (possibly schema-qualified). */
  public String table() {
    return table;
  }

  /**
   * Creates the table if it does not exist (what {@link Builder#build()} does unless told not
   * to).
   *
   * @throws StoreException if the database refuses (the message names the table)
   */
  public void createTable() {
    String ddl = "CREATE TABLE IF NOT EXISTS " + table + " ("
        + "project_id text NOT NULL, "
        + "object_id text NOT NULL, "
        + "value text, "
        + "fence bigint NOT NULL, "
        + "updated_at timestamptz NOT NULL DEFAULT now(), "
        + "PRIMARY KEY (project_id, object_id))";
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute(ddl);
    } catch (SQLException e) {
      throw new StoreException("cannot create table " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the database fails or a value cannot be decoded (the message names
   *     the project and table)
   */
  @Override
  public Map<String, T> load(String projectId) {
    KeySchema.requireValidId("projectId", projectId);
    Map<String, T> objects = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement select = c.prepareStatement(loadSql)) {
      select.setString(1, projectId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          String objectId = rows.getString(1);
          String value = rows.getString(2);
          if (value != null) {
            objects.put(objectId, decode(projectId, objectId, value));
          }
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot load project \"" + projectId + "\" from " + table + ": "
          + e.getMessage(), e);
    }
    return Map.copyOf(objects);
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the database fails (the transaction is rolled back; the message
   *     names the project and table)
   * @throws io.canvasstate.CodecException if the codec cannot encode a value (nothing is written)
   */
  @Override
  public boolean save(ProjectChanges<T> changes) {
    requireNonNull(changes, "changes");
    List<String> ids = new ArrayList<>(changes.upserts().size());
    List<String> values = new ArrayList<>(changes.upserts().size());
    changes.upserts().forEach((objectId, value) -> {
      ids.add(objectId);
      values.add(new String(codec.encode(value), UTF_8));
    });
    List<String> deletes = List.copyOf(changes.deletes());
    String projectId = changes.projectId();
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        if (!raiseFence(c, projectId, changes.fence())) {
          c.rollback();
          return false;
        }
        for (int from = 0; from < ids.size(); from += BATCH) {
          int to = Math.min(from + BATCH, ids.size());
          upsert(c, projectId, changes.fence(), ids.subList(from, to), values.subList(from, to));
        }
        for (int from = 0; from < deletes.size(); from += BATCH) {
          delete(c, projectId, deletes.subList(from, Math.min(from + BATCH, deletes.size())));
        }
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot save project \"" + projectId + "\" to " + table + ": "
          + e.getMessage(), e);
    }
  }

  private T decode(String projectId, String objectId, String value) {
    try {
      return codec.decode(value.getBytes(UTF_8));
    } catch (RuntimeException e) {
      throw new StoreException("cannot decode object \"" + objectId + "\" of project \""
          + projectId + "\" in " + table + ": " + e.getMessage(), e);
    }
  }

  /** Raises the project's fence row to {@code fence}; false if it holds a larger one. */
  private boolean raiseFence(Connection c, String projectId, long fence) throws SQLException {
    try (PreparedStatement raise = c.prepareStatement(fenceSql)) {
      raise.setString(1, projectId);
      raise.setLong(2, fence);
      try (ResultSet row = raise.executeQuery()) {
        return row.next();
      }
    }
  }

  private void upsert(Connection c, String projectId, long fence, List<String> ids,
      List<String> values) throws SQLException {
    try (PreparedStatement upsert = c.prepareStatement(upsertSql)) {
      Array idArray = c.createArrayOf("text", ids.toArray());
      Array valueArray = c.createArrayOf("text", values.toArray());
      upsert.setString(1, projectId);
      upsert.setLong(2, fence);
      upsert.setArray(3, idArray);
      upsert.setArray(4, valueArray);
      upsert.executeUpdate();
    }
  }

  private void delete(Connection c, String projectId, List<String> ids) throws SQLException {
    try (PreparedStatement delete = c.prepareStatement(deleteSql)) {
      delete.setString(1, projectId);
      delete.setArray(2, c.createArrayOf("text", ids.toArray()));
      delete.executeUpdate();
    }
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public String toString() {
    return "JdbcCanvasRepository[" + table + ", " + codec + "]";
  }

  /** Builds a {@link JdbcCanvasRepository}. Not thread-safe. */
  public static final class Builder<T> {
    private final DataSource dataSource;
    private final Codec<T> codec;
    private String table = DEFAULT_TABLE;
    private boolean createTable = true;

    private Builder(DataSource dataSource, Codec<T> codec) {
      this.dataSource = dataSource;
      this.codec = codec;
    }

    /**
     * The table, {@code name} or {@code schema.name}; {@value #DEFAULT_TABLE} by default.
     *
     * @throws IllegalArgumentException if it is not a plain SQL identifier (letters, digits and
     *     underscores, not starting with a digit, at most 63 chars), optionally schema-qualified
     */
    public Builder<T> table(String table) {
      requireNonNull(table, "table");
      if (!NAME.matcher(table).matches()) {
        throw new IllegalArgumentException("table must be a plain SQL name such as"
            + " canvas_objects or app.canvas_objects: \"" + table + "\"");
      }
      this.table = table;
      return this;
    }

    /** Whether {@link #build()} creates the table if it does not exist; true by default. */
    public Builder<T> createTable(boolean createTable) {
      this.createTable = createTable;
      return this;
    }

    /**
     * Builds the repository, creating the table if asked to.
     *
     * @throws StoreException if the table cannot be created
     */
    public JdbcCanvasRepository<T> build() {
      JdbcCanvasRepository<T> repository = new JdbcCanvasRepository<>(this);
      if (createTable) {
        repository.createTable();
      }
      return repository;
    }
  }
}
