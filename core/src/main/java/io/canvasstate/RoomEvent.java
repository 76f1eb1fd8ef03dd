package io.canvasstate;

import static java.util.Objects.requireNonNull;

/**
 * A change in a room, as delivered to a {@link RoomListener}: a connection {@linkplain Joined
 * joined}, {@linkplain Updated updated} its value, or {@linkplain Left left}; or a
 * {@linkplain Resync resync}, which says that changes may have been missed and the room should
 * be read again.
 *
 * <p>Every change names the connection and carries the id of the instance whose store made it;
 * for an expiry, the instance that noticed it. Events are immutable; values are shared by every
 * listener of the store and must not be modified. Delivery guarantees are described on {@link
 * RoomPresenceStore#subscribe}.
 *
 * @param <P> the type of a connection's value
 */
public sealed interface RoomEvent<P> permits RoomEvent.Change, RoomEvent.Resync {

  /** The room. */
  String roomId();

  /** Whether this change was made by instance {@code instanceId}; false for a {@link Resync}. */
  boolean isFrom(String instanceId);

  /** A change to one connection: {@link Joined}, {@link Updated} or {@link Left}. */
  sealed interface Change<P> extends RoomEvent<P> permits Joined, Updated, Left {
    /** The user. */
    String userId();

    /** The user's connection. */
    String connectionId();

    /** The id of the instance that made the change, or noticed the expiry. */
    String instanceId();

    @Override
    default boolean isFrom(String id) {
      return instanceId().equals(id);
    }
  }

  /**
   * A connection that was not live sent a heartbeat.
   *
   * @param roomId the room
   * @param userId the user
   * @param connectionId the connection
   * @param value its value
   * @param userJoined whether the user had no other live connection in the room: they joined
   * @param instanceId the instance that serves the connection
   */
  record Joined<P>(String roomId, String userId, String connectionId, P value, boolean userJoined,
      String instanceId) implements Change<P> {
    /** @throws NullPointerException if an argument is null */
    public Joined {
      requireNonNull(roomId, "roomId");
      requireNonNull(userId, "userId");
      requireNonNull(connectionId, "connectionId");
      requireNonNull(value, "value");
      requireNonNull(instanceId, "instanceId");
    }
  }

  /**
   * A live connection sent a heartbeat with its (possibly new) value.
   *
   * @param roomId the room
   * @param userId the user
   * @param connectionId the connection
   * @param value its value
   * @param instanceId the instance that serves the connection
   */
  record Updated<P>(String roomId, String userId, String connectionId, P value,
      String instanceId) implements Change<P> {
    /** @throws NullPointerException if an argument is null */
    public Updated {
      requireNonNull(roomId, "roomId");
      requireNonNull(userId, "userId");
      requireNonNull(connectionId, "connectionId");
      requireNonNull(value, "value");
      requireNonNull(instanceId, "instanceId");
    }
  }

  /**
   * A connection ended.
   *
   * @param roomId the room
   * @param userId the user
   * @param connectionId the connection
   * @param reason whether it was removed or expired
   * @param userLeft whether it was the user's last live connection in the room: they left
   * @param instanceId the instance that removed it, or noticed that it expired
   */
  record Left<P>(String roomId, String userId, String connectionId,
      PresenceEvent.Left.Reason reason, boolean userLeft, String instanceId)
      implements Change<P> {
    /** @throws NullPointerException if an argument is null */
    public Left {
      requireNonNull(roomId, "roomId");
      requireNonNull(userId, "userId");
      requireNonNull(connectionId, "connectionId");
      requireNonNull(reason, "reason");
      requireNonNull(instanceId, "instanceId");
    }
  }

  /**
   * Changes in the room may have been missed (the reason says why): the listener should read
   * the room again ({@link RoomPresenceStore#list}).
   *
   * @param roomId the room
   * @param reason why events may have been missed
   */
  record Resync<P>(String roomId, ResyncReason reason) implements RoomEvent<P> {
    /** @throws NullPointerException if an argument is null */
    public Resync {
      requireNonNull(roomId, "roomId");
      requireNonNull(reason, "reason");
    }

    @Override
    public boolean isFrom(String instanceId) {
      return false;
    }
  }
}
