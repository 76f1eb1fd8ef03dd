package io.canvasstate.examples;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A person's presence on the example canvas: who they are and where their pointer is, stored as
 * plain JSON and refreshed by heartbeats.
 *
 * @param name the name shown next to the cursor, 1 to 40 characters
 * @param color {@code #rrggbb}
 * @param x pointer position, in canvas pixels
 * @param y pointer position, in canvas pixels
 * @param projectId the canvas the person is looking at
 */
public record Cursor(String name, String color, double x, double y, String projectId) {
  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");

  /** @throws IllegalArgumentException naming the field that is wrong */
  public Cursor {
    requireNonNull(name, "name");
    requireNonNull(color, "color");
    requireNonNull(projectId, "projectId");
    if (name.isBlank() || name.length() > 40) {
      throw new IllegalArgumentException("name must be 1 to 40 characters: \"" + name + "\"");
    }
    if (!COLOR.matcher(color).matches()) {
      throw new IllegalArgumentException("color must be #rrggbb: \"" + color + "\"");
    }
    Shape.requireCoordinate("x", x);
    Shape.requireCoordinate("y", y);
    io.canvasstate.KeySchema.requireValidId("projectId", projectId);
  }
}
