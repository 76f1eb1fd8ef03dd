package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What an outage change was made to: a canvas object ({@code projectId} and object id) or a
 * user's presence (user id, no project).
 *
 * @param kind a canvas object or a presence
 * @param projectId the project of a canvas object; empty for a presence
 * @param id the object id or the user id
 */
public record ChangeKey(Kind kind, Optional<String> projectId, String id) {
  /** The kind of thing changed. */
  public enum Kind {
    /** An object of a project's canvas ({@link io.canvasstate.CanvasStore}). */
    CANVAS_OBJECT,
    /** A user's presence ({@link io.canvasstate.PresenceStore}). */
    PRESENCE
  }

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if a canvas object has no project or a presence has one
   */
  public ChangeKey {
    requireNonNull(kind, "kind");
    requireNonNull(projectId, "projectId");
    requireNonNull(id, "id");
    if (projectId.isPresent() != (kind == Kind.CANVAS_OBJECT)) {
      throw new IllegalArgumentException("a " + kind + " key " + (projectId.isPresent()
          ? "must not have a project: " + projectId.get() : "needs a project"));
    }
  }

  /** The key of object {@code objectId} of project {@code projectId}. */
  public static ChangeKey canvas(String projectId, String objectId) {
    return new ChangeKey(Kind.CANVAS_OBJECT, Optional.of(projectId), objectId);
  }

  /** The key of user {@code userId}'s presence. */
  public static ChangeKey presence(String userId) {
    return new ChangeKey(Kind.PRESENCE, Optional.empty(), userId);
  }

  @Override
  public String toString() {
    return kind == Kind.CANVAS_OBJECT
        ? "object " + id + " of project " + projectId.orElseThrow()
        : "presence of " + id;
  }
}
