package io.canvasstate.examples.spring;

import static java.util.Objects.requireNonNull;

/**
 * Where a person's mouse is on a project's canvas: their presence.
 *
 * @param name the name shown beside the cursor
 * @param color its colour, CSS syntax
 * @param x position in canvas pixels
 * @param y position in canvas pixels
 * @param projectId the project (canvas) the person is on
 */
public record Cursor(String name, String color, double x, double y, String projectId) {
  /** Checks the components. */
  public Cursor {
    requireNonNull(name, "name");
    requireNonNull(color, "color");
    requireNonNull(projectId, "projectId");
  }
}
