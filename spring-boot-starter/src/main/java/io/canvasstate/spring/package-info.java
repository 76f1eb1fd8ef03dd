/**
 * Spring Boot auto-configuration of CanvasState: {@link
 * io.canvasstate.spring.CanvasStateProperties} ({@code canvasstate.*}), {@link
 * io.canvasstate.spring.CanvasStateStores} for typed store beans, and {@link
 * io.canvasstate.spring.CanvasStateHealthIndicator}.
 */
@NullMarked
package io.canvasstate.spring;

import org.jspecify.annotations.NullMarked;
