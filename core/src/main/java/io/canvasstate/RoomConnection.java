package io.canvasstate;

import static java.util.Objects.requireNonNull;

/**
 * One live connection in a room, as {@link RoomPresenceStore#list} reports it. Immutable if its
 * value is.
 *
 * @param userId the user
 * @param connectionId the connection (a tab, a device) of that user
 * @param value the connection's value from its last heartbeat
 * @param <P> the type of the value
 */
public record RoomConnection<P>(String userId, String connectionId, P value) {
  /** @throws NullPointerException if an argument is null */
  public RoomConnection {
    requireNonNull(userId, "userId");
    requireNonNull(connectionId, "connectionId");
    requireNonNull(value, "value");
  }
}
