/**
 * {@link io.canvasstate.jdbc.JdbcCanvasRepository}: a
 * {@link io.canvasstate.persistence.CanvasRepository} in one SQL table (PostgreSQL), for the
 * auto-save workers and read-through of {@link io.canvasstate.persistence.Persistence}.
 */
@NullMarked
package io.canvasstate.jdbc;

import org.jspecify.annotations.NullMarked;
