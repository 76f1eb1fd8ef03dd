package io.canvasstate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Presence per room: who is in a room (a project's canvas) right now, per connection, bound to
 * the liveness of the instance that serves each connection.
 *
 * <p>A <em>connection</em> is one tab or device of a user in a room, identified by
 * {@code (roomId, userId, connectionId)}, with its own value (a cursor per tab). A user is in a
 * room while any of their connections is. A connection belongs to the instance whose store last
 * sent its {@link #heartbeat}, and lives until the first of:
 *
 * <ul>
 *   <li>its own lifetime runs out: {@linkplain TtlPolicy#presenceTtl() presenceTtl} after its
 *       last heartbeat;
 *   <li>its instance's <em>lease</em> runs out: every store holds a short lease ({@link
 *       #lease()}, {@link RoomConfig#lease()}) that it refreshes in the background; an instance
 *       that dies without closing (killed, frozen, cut off) stops refreshing it, and its
 *       connections leave every other instance's view within the lease;
 *   <li>{@link #leave} removes it, or its store is {@linkplain #close() closed} (which ends the
 *       lease at once).
 * </ul>
 *
 * <p>Reads never report a connection that has ended, even when no instance is alive to sweep:
 * they drop what ended first, at a cost of what ended. Listing a room costs what is in the room,
 * not what is in all rooms. A user may be in several rooms. Implementations are thread-safe.
 *
 * @param <P> the type of a connection's value (a cursor, a name and a colour...)
 */
public interface RoomPresenceStore<P> extends AutoCloseable {

  /**
   * Records a heartbeat of a connection served by this instance: stores its value, restarts its
   * lifetime and makes this instance its owner. The first heartbeat of a connection joins it.
   *
   * @throws IllegalArgumentException if an id is invalid or the encoded value over the limit
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws StoreException if the store fails otherwise
   * @throws IllegalStateException if the store is closed
   */
  void heartbeat(String roomId, String userId, String connectionId, P value);

  /**
   * Removes a connection (a tab closed).
   *
   * @return whether it was there and had not ended
   * @throws IllegalArgumentException if an id is invalid
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws IllegalStateException if the store is closed
   */
  boolean leave(String roomId, String userId, String connectionId);

  /**
   * Returns the live connections of one user in a room, connection id &rarr; value; empty if
   * the user is not there. Reading extends nothing.
   *
   * @return an immutable map
   * @throws IllegalArgumentException if an id is invalid
   * @throws CodecException if a stored value cannot be decoded
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws IllegalStateException if the store is closed
   */
  Map<String, P> get(String roomId, String userId);

  /**
   * Returns every live connection in a room, ordered by user id, then connection id. A value
   * that cannot be decoded is left out and logged once, as for {@link CanvasStore#getAll}.
   *
   * @return an immutable list
   * @throws IllegalArgumentException if the room id is invalid
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws IllegalStateException if the store is closed
   */
  List<RoomConnection<P>> list(String roomId);

  /**
   * Returns how many users are in a room (a user with two tabs counts once).
   *
   * @throws IllegalArgumentException if the room id is invalid
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws IllegalStateException if the store is closed
   */
  int count(String roomId);

  /**
   * Registers a listener for the changes in one room, made through any instance that shares
   * this store's backing state (this one included), and returns the handle that ends it.
   *
   * <p>A heartbeat of a new connection is a {@link RoomEvent.Joined} (with {@code userJoined}
   * when the user had no other connection there), of a live one an {@link RoomEvent.Updated};
   * a connection that ends is a {@link RoomEvent.Left}: reason {@code REMOVED} for {@link
   * #leave}, {@code EXPIRED} when its lifetime or its instance's lease ran out (or its store
   * closed), with {@code userLeft} when it was the user's last. An ended connection's
   * {@code Left} comes soon after it ends (within {@link RoomConfig#sweepInterval()} of an
   * instance with listeners on the room noticing), whether or not anyone reads the room. When
   * events may have been lost, listeners receive a {@link RoomEvent.Resync} once the
   * subscription works again and should {@linkplain #list read the room} again. Listeners are
   * called one event at a time, never concurrently, outside the store's locks; an exception
   * they throw is caught and logged.
   *
   * @return the subscription; closing it, or closing the store, ends delivery
   * @throws IllegalArgumentException if the room id is invalid
   * @throws IllegalStateException if the store is closed
   */
  Subscription subscribe(String roomId, RoomListener<P> listener);

  /** The id of this instance: the owner of the connections it heartbeats, named in events. */
  String instanceId();

  /** How long this instance's connections outlive it if it dies without closing. */
  Duration lease();

  /**
   * Ends this instance's lease (its connections end at once, and other instances announce them
   * as expired), stops refreshing it and ends the subscriptions. Idempotent.
   */
  @Override
  void close();
}
