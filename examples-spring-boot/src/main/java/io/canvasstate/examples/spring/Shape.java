package io.canvasstate.examples.spring;

import static java.util.Objects.requireNonNull;

/**
 * A rectangle on the canvas, stored as the JSON the canvas page sends.
 *
 * @param type the kind of shape ({@code rect})
 * @param x left edge, in canvas pixels
 * @param y top edge
 * @param width width
 * @param height height
 * @param color fill colour, CSS syntax
 */
public record Shape(String type, double x, double y, double width, double height, String color) {
  /** Checks the components. */
  public Shape {
    requireNonNull(type, "type");
    requireNonNull(color, "color");
  }
}
