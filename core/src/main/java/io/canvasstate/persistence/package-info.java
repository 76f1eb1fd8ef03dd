/**
 * Persistence: Redis (or memory) is the live copy of every canvas, and a durable store behind it
 * keeps what must outlive the cache.
 *
 * <ul>
 *   <li>{@link io.canvasstate.persistence.CanvasRepository} is the durable side, the SPI to
 *       implement for a database (DynamoDB, S3, SQL...);
 *       {@link io.canvasstate.persistence.JsonFileCanvasRepository} is the embedded default.
 *   <li>{@link io.canvasstate.persistence.Persistence} ties a repository to one store: the store
 *       records every change in the same round trip as the write, keeps a project with unsaved
 *       changes from expiring, and loads a project it does not hold from the repository
 *       (read-through).
 *   <li>{@link io.canvasstate.persistence.AutoSaveWorker} runs on every instance and saves what
 *       changed, each change by one instance at a time, at least once.
 *   <li>{@link io.canvasstate.persistence.ChangeLog} is the SPI a store implements to take part;
 *       applications never call it.
 * </ul>
 */
@NullMarked
package io.canvasstate.persistence;

import org.jspecify.annotations.NullMarked;
