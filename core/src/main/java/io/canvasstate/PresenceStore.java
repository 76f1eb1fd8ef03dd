package io.canvasstate;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is on the canvas right now: each user's presence (cursor, name, colour...), kept alive by
 * heartbeats.
 *
 * <p>A presence expires {@linkplain TtlPolicy#presenceTtl() a while} after its last
 * {@link #put}. {@link #getAll()} and {@link #activeUsers()} never report an expired user, and
 * pruning costs what expired, not what is stored. Implementations are thread-safe.
 *
 * @param <P> the type of a user's presence
 */
public interface PresenceStore<P> extends AutoCloseable {

  /**
   * Records a heartbeat: stores the presence, restarts its lifetime and marks the user active.
   *
   * @throws IllegalArgumentException if the id is invalid or the encoded value over the limit
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws StoreException if the store fails otherwise
   */
  void put(String userId, P presence);

  /**
   * Returns a user's presence if it has not expired. Reading does not extend it.
   *
   * @throws CodecException if the stored value cannot be decoded
   */
  Optional<P> get(String userId);

  /**
   * Removes a user's presence.
   *
   * @return whether it was there (and not expired)
   */
  boolean remove(String userId);

  /**
   * Returns every live user's presence, pruning the expired ones. A value that cannot be
   * decoded is left out, logged once and reported, as for {@link CanvasStore#getAll}.
   *
   * @return an immutable map
   */
  Map<String, P> getAll();

  /**
   * Returns the ids of the users whose presence has not expired.
   *
   * @return an immutable set
   */
  Set<String> activeUsers();

  /**
   * Registers a listener for presence changes, made through any instance that shares this
   * store's backing state (this one included), and returns the handle that ends it.
   *
   * <p>Each change is delivered at most once, in the order applied for each user: a {@code put}
   * of an absent (or expired) user is a {@link PresenceEvent.Joined}, of a present one an
   * {@link PresenceEvent.Updated}; {@code remove} of a present user is a {@link PresenceEvent.Left}
   * with reason {@code REMOVED}. A presence that expires produces a {@code Left} with reason
   * {@code EXPIRED} soon after it expires (within the store's sweep interval), whether or not
   * anyone reads presence. When events may have been lost, listeners receive a
   * {@link PresenceEvent.Resync} once the subscription works again, and should re-read presence.
   * This instance's own changes are delivered too. Listeners are called as described on
   * {@link CanvasStore#subscribe}.
   *
   * @return the subscription; closing it, or closing the store, ends delivery
   * @throws IllegalStateException if the store is closed
   */
  Subscription subscribe(PresenceListener<P> listener);

  /** The id this store puts on the events it originates; see {@link PresenceEvent#isFrom}. */
  String instanceId();

  /** Releases what the store holds. */
  @Override
  void close();
}
