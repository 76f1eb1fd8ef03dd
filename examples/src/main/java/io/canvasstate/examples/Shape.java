package io.canvasstate.examples;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A shape on the example canvas, stored as plain JSON such as
 * {@code {"type":"rect","x":40,"y":30,"width":120,"height":80,"color":"#e63946"}}.
 *
 * @param type what kind of shape: 1 to 16 lower-case letters ({@code rect} on the page)
 * @param x left edge, in canvas pixels
 * @param y top edge, in canvas pixels
 * @param width positive width
 * @param height positive height
 * @param color {@code #rrggbb}
 */
public record Shape(String type, double x, double y, double width, double height, String color) {
  private static final Pattern TYPE = Pattern.compile("[a-z]{1,16}");
  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
  /** The largest coordinate or size accepted, in pixels. */
  public static final double MAX = 100_000;

  /** @throws IllegalArgumentException naming the field that is out of range */
  public Shape {
    requireNonNull(type, "type");
    requireNonNull(color, "color");
    if (!TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("type must be 1 to 16 lower-case letters: \"" + type + "\"");
    }
    if (!COLOR.matcher(color).matches()) {
      throw new IllegalArgumentException("color must be #rrggbb: \"" + color + "\"");
    }
    requireCoordinate("x", x);
    requireCoordinate("y", y);
    requireSize("width", width);
    requireSize("height", height);
  }

  /** A rectangle. */
  public static Shape rect(double x, double y, double width, double height, String color) {
    return new Shape("rect", x, y, width, height, color);
  }

  /** This shape moved to {@code (x, y)}. */
  public Shape movedTo(double x, double y) {
    return new Shape(type, x, y, width, height, color);
  }

  static void requireCoordinate(String name, double v) {
    if (!Double.isFinite(v) || Math.abs(v) > MAX) {
      throw new IllegalArgumentException(name + " must be a finite number within +-" + (long) MAX + ": " + v);
    }
  }

  private static void requireSize(String name, double v) {
    if (!Double.isFinite(v) || v <= 0 || v > MAX) {
      throw new IllegalArgumentException(name + " must be above 0 and at most " + (long) MAX + ": " + v);
    }
  }
}
