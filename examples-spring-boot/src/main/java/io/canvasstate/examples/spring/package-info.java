/**
 * The canvas server as a Spring Boot application on the CanvasState starter: the canvas page
 * over WebSocket, Prometheus metrics at {@code /actuator/prometheus}, and a CloudWatch profile.
 */
@NullMarked
package io.canvasstate.examples.spring;

import org.jspecify.annotations.NullMarked;
