/**
 * JMH benchmarks of the CanvasState stores against raw baselines, and the suite that runs them.
 *
 * <p>Every benchmark class holds the library's operation and its baseline, on the same data in
 * the same Redis; {@link io.canvasstate.benchmarks.Suite} runs them in interleaved rounds and
 * prints the ratio table ({@link io.canvasstate.benchmarks.Report}).
 */
@NullMarked
package io.canvasstate.benchmarks;

import org.jspecify.annotations.NullMarked;
