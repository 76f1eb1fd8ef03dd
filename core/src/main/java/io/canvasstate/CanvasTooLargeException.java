package io.canvasstate;

/**
 * Thrown when a write or a load would make a project's canvas hold more objects than the
 * configured limit ({@code CANVASSTATE_MAX_CANVAS_OBJECTS}, {@link StoreConfig#maxCanvasObjects}).
 * The call that throws it wrote nothing of the refused part: a single-object write and each
 * chunk of a bulk write are refused as a whole (see {@link CanvasStore#putAll} for the chunks
 * before it). Not a sign that the store is unavailable: the failover decorator passes it on.
 * Immutable, like its message.
 */
public class CanvasTooLargeException extends StoreException {
  private static final long serialVersionUID = 1L;

  private final String projectId;
  private final int limit;

  /**
   * An exception for a refused write or load; the message names the project, the limit and the
   * setting.
   *
   * @param projectId the project whose canvas would have grown too large
   * @param limit the configured limit, in objects
   * @param what what was refused, such as {@code "putAll of 2,000 objects"}
   */
  public CanvasTooLargeException(String projectId, int limit, String what) {
    super("project \"" + projectId + "\" would hold more than " + limit
        + " objects (CANVASSTATE_MAX_CANVAS_OBJECTS): " + what + " was refused");
    this.projectId = projectId;
    this.limit = limit;
  }

  /** The project whose canvas would have grown too large. */
  public String projectId() {
    return projectId;
  }

  /** The configured limit, in objects. */
  public int limit() {
    return limit;
  }
}
