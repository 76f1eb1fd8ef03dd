package io.canvasstate.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives a test class a real PostgreSQL database and a schema of its own,
 * dropped after the class's last test:
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresDatabase postgres = new PostgresDatabase();
 * ... JdbcCanvasRepository.builder(postgres.dataSource(), codec).table(postgres.table("canvas")) ...
 * }</pre>
 *
 * <p>Which server: the JDBC URL in {@code CANVASSTATE_TEST_JDBC_URL} (environment or system
 * property), else {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres} (trust
 * authentication on loopback, as {@code .ci/run} sets up). If it cannot be reached the class is
 * skipped with a message saying what to start, except when the environment variable {@code CI}
 * is set: then it fails.
 */
final class PostgresDatabase implements BeforeAllCallback, AfterAllCallback {
  static final String URL_SETTING = "CANVASSTATE_TEST_JDBC_URL";
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private @Nullable UrlDataSource dataSource;
  private @Nullable String schema;

  @Override
  public void beforeAll(ExtensionContext context) {
    String url = setting(URL_SETTING);
    String base = url == null ? DEFAULT_URL : url;
    // Bounded waits: a server that is down fails the connect in seconds, a stuck query in two
    // minutes.
    UrlDataSource ds = new UrlDataSource(base + (base.contains("?") ? "&" : "?")
        + "connectTimeout=5&loginTimeout=5&socketTimeout=120");
    String name = "canvasstate_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36)
        .toLowerCase(Locale.ROOT);
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + name);
    } catch (SQLException e) {
      String where = redact(base);
      String message = "no PostgreSQL at " + where + " (" + e.getMessage() + "): start one (.ci/run"
          + " does: pg_ctlcluster <version> main start) or set " + URL_SETTING;
      if (System.getenv("CI") != null) {
        throw new AssertionError(message + "; CI is set, so this fails instead of skipping", e);
      }
      Assumptions.abort(message);
    }
    dataSource = ds;
    schema = name;
  }

  @Override
  public void afterAll(ExtensionContext context) throws SQLException {
    if (dataSource != null && schema != null) {
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  /** A data source on the database; a new connection per call. */
  DataSource dataSource() {
    if (dataSource == null) {
      throw new IllegalStateException("PostgresDatabase is not started: register it in a static"
          + " field with @RegisterExtension");
    }
    return dataSource;
  }

  /** {@code <this class's schema>.<name>}. */
  String table(String name) {
    dataSource();
    return schema + "." + name;
  }

  private static @Nullable String setting(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      v = System.getenv(name);
    }
    return v == null || v.isBlank() ? null : v;
  }

  /** The URL without a password parameter or user info. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1****").replaceAll("//[^/@]*@", "//****@");
  }
}
