package io.canvasstate;

import static java.util.Objects.requireNonNull;

/**
 * A change to who is present, as delivered to a {@link PresenceListener}: a user
 * {@linkplain Joined joined}, {@linkplain Updated updated} their presence (a heartbeat, a cursor
 * move), or {@linkplain Left left} (removed, or expired without a heartbeat); or a
 * {@linkplain Resync resync}, which says that changes may have been missed and presence should
 * be read again.
 *
 * <p>Every change carries the id of the instance whose store made it ({@link
 * PresenceStore#instanceId()}); for an expiry, the instance that noticed it. Events are
 * immutable; values are shared by every listener of the store and must not be modified.
 *
 * <p>Delivery guarantees are described on {@link PresenceStore#subscribe}.
 *
 * @param <P> the type of a user's presence
 */
public sealed interface PresenceEvent<P> permits PresenceEvent.Change, PresenceEvent.Resync {

  /**
   * Whether this change was made by the instance with id {@code instanceId}. Always false for a
   * {@link Resync}.
   */
  boolean isFrom(String instanceId);

  /** A change to one user's presence: {@link Joined}, {@link Updated} or {@link Left}. */
  sealed interface Change<P> extends PresenceEvent<P> permits Joined, Updated, Left {
    /** The user. */
    String userId();

    /** The id of the instance that made the change, or noticed the expiry. */
    String instanceId();

    @Override
    default boolean isFrom(String id) {
      return instanceId().equals(id);
    }
  }

  /**
   * A user who was not present (or whose presence had expired) put a presence.
   *
   * @param userId the user
   * @param presence the new presence
   * @param instanceId the id of the instance that wrote it
   */
  record Joined<P>(String userId, P presence, String instanceId) implements Change<P> {
    /** @throws NullPointerException if an argument is null */
    public Joined {
      requireNonNull(userId, "userId");
      requireNonNull(presence, "presence");
      requireNonNull(instanceId, "instanceId");
    }
  }

  /**
   * A user who was present put a new presence (a heartbeat).
   *
   * @param userId the user
   * @param presence the new presence
   * @param instanceId the id of the instance that wrote it
   */
  record Updated<P>(String userId, P presence, String instanceId) implements Change<P> {
    /** @throws NullPointerException if an argument is null */
    public Updated {
      requireNonNull(userId, "userId");
      requireNonNull(presence, "presence");
      requireNonNull(instanceId, "instanceId");
    }
  }

  /**
   * A user is no longer present.
   *
   * @param userId the user
   * @param reason whether the presence was removed or expired
   * @param instanceId the id of the instance that removed it, or that noticed the expiry
   */
  record Left<P>(String userId, Reason reason, String instanceId) implements Change<P> {
    /** @throws NullPointerException if an argument is null */
    public Left {
      requireNonNull(userId, "userId");
      requireNonNull(reason, "reason");
      requireNonNull(instanceId, "instanceId");
    }

    /** Why a user left. */
    public enum Reason {
      /** {@link PresenceStore#remove} removed the presence. */
      REMOVED,
      /** No heartbeat came within the presence lifetime. */
      EXPIRED
    }
  }

  /**
   * Presence changes may have been missed (the reason says why): the listener should read
   * presence again ({@link PresenceStore#getAll}).
   *
   * @param reason why events may have been missed
   */
  record Resync<P>(ResyncReason reason) implements PresenceEvent<P> {
    /** @throws NullPointerException if the reason is null */
    public Resync {
      requireNonNull(reason, "reason");
    }

    @Override
    public boolean isFrom(String instanceId) {
      return false;
    }
  }
}
