/**
 * Runnable CanvasState demos: {@link io.canvasstate.examples.QuickStart}, the multi-instance
 * {@link io.canvasstate.examples.CanvasServer} with its canvas page, and
 * {@link io.canvasstate.examples.MultiInstanceDemo}, the before/after proof.
 */
@NullMarked
package io.canvasstate.examples;

import org.jspecify.annotations.NullMarked;
