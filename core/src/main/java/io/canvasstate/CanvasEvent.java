package io.canvasstate;

import static java.util.Objects.requireNonNull;

/**
 * A change to one project's canvas, as delivered to a {@link CanvasListener}: an object was
 * {@linkplain Put put}, {@linkplain Removed removed}, or the canvas was {@linkplain Cleared
 * cleared}; or a {@linkplain Resync resync}, which says that changes may have been missed and
 * the canvas should be read again.
 *
 * <p>Every change carries the id of the instance whose store made it ({@link
 * CanvasStore#instanceId()}), so that an instance can recognise its own echoes with {@link
 * #isFrom}. Events are immutable; a {@link Put}'s value is decoded once and handed to every
 * listener of the store, so listeners must not modify it.
 *
 * <p>Delivery guarantees are described on {@link CanvasStore#subscribe}.
 *
 * @param <T> the type of the canvas objects
 */
public sealed interface CanvasEvent<T> permits CanvasEvent.Change, CanvasEvent.Resync {

  /** The project the event is about. */
  String projectId();

  /**
   * Whether this change was made by the instance with id {@code instanceId}. Always false for a
   * {@link Resync}, which no instance originates.
   */
  boolean isFrom(String instanceId);

  /** A change some instance made: a {@link Put}, {@link Removed} or {@link Cleared}. */
  sealed interface Change<T> extends CanvasEvent<T> permits Put, Removed, Cleared {
    /** The id of the instance that made the change ({@link CanvasStore#instanceId()}). */
    String instanceId();

    @Override
    default boolean isFrom(String id) {
      return instanceId().equals(id);
    }
  }

  /**
   * An object was inserted or replaced (by {@code put}, {@code putAll}, {@code replace}...).
   *
   * @param projectId the project
   * @param objectId the object
   * @param value the object's new value
   * @param instanceId the id of the instance that wrote it
   */
  record Put<T>(String projectId, String objectId, T value, String instanceId)
      implements Change<T> {
    /** @throws NullPointerException if an argument is null */
    public Put {
      requireNonNull(projectId, "projectId");
      requireNonNull(objectId, "objectId");
      requireNonNull(value, "value");
      requireNonNull(instanceId, "instanceId");
    }
  }

  /**
   * An object that was there was removed (by {@code remove}, {@code getAndRemove}...).
   *
   * @param projectId the project
   * @param objectId the object
   * @param instanceId the id of the instance that removed it
   */
  record Removed<T>(String projectId, String objectId, String instanceId)
      implements Change<T> {
    /** @throws NullPointerException if an argument is null */
    public Removed {
      requireNonNull(projectId, "projectId");
      requireNonNull(objectId, "objectId");
      requireNonNull(instanceId, "instanceId");
    }
  }

  /**
   * Every object of a project that had objects was removed by {@link CanvasStore#clear}.
   *
   * @param projectId the project
   * @param instanceId the id of the instance that cleared it
   */
  record Cleared<T>(String projectId, String instanceId) implements Change<T> {
    /** @throws NullPointerException if an argument is null */
    public Cleared {
      requireNonNull(projectId, "projectId");
      requireNonNull(instanceId, "instanceId");
    }
  }

  /**
   * Changes to the project may have been missed (the reason says why): the listener should read
   * the canvas again ({@link CanvasStore#getAll}) instead of applying further events to what it
   * has. Events that follow a resync are complete again until the next resync.
   *
   * @param projectId the project
   * @param reason why events may have been missed
   */
  record Resync<T>(String projectId, ResyncReason reason) implements CanvasEvent<T> {
    /** @throws NullPointerException if an argument is null */
    public Resync {
      requireNonNull(projectId, "projectId");
      requireNonNull(reason, "reason");
    }

    @Override
    public boolean isFrom(String instanceId) {
      return false;
    }
  }
}
