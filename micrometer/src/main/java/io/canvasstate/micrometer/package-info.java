/**
 * Micrometer meters for CanvasState. {@link io.canvasstate.micrometer.CanvasStateMetrics} is a
 * {@link io.micrometer.core.instrument.binder.MeterBinder}: it times the operations of the stores
 * it wraps, counts their errors and events, and reads the failover, persistence and connection
 * pool figures from their {@code stats()} and listeners. Every tag has a small, fixed set of
 * values: no project, object or user id ever becomes a tag.
 */
@NullMarked
package io.canvasstate.micrometer;

import org.jspecify.annotations.NullMarked;
