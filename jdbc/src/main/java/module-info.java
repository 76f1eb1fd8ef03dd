/**
 * CanvasState on a SQL database: {@link io.canvasstate.jdbc.JdbcCanvasRepository}, the durable
 * side of persistence through JDBC. Brings no driver.
 */
module io.canvasstate.jdbc {
  requires transitive io.canvasstate;
  requires transitive java.sql;
  requires static org.jspecify;

  exports io.canvasstate.jdbc;
}
