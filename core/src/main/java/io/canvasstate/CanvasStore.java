package io.canvasstate;

import io.canvasstate.internal.CanvasMapView;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * The objects of every project's canvas: a map from project id to a map from object id to
 * object, shared by every instance that uses the same backing store.
 *
 * <p>A project lives while it is used: every read or write of it (including {@link #get},
 * {@link #getAll} and {@link #count}) starts its {@linkplain TtlPolicy#canvasTtl() lifetime}
 * again, and a project untouched for that long expires as a whole. Writing marks a project
 * active; {@link #activeProjects()} lists the projects that have not expired.
 *
 * <p>Every single-object operation is atomic. {@link #getAll} is one consistent snapshot. When
 * two instances write the same object the last write wins; a value is never torn. Values go
 * through the store's {@link Codec}: a caller that changes an object after {@link #put} does not
 * change what is stored, and two values are equal when their encodings are.
 *
 * <p>Ids are checked by {@link KeySchema#requireValidId} before anything is sent: a null
 * argument throws {@link NullPointerException}, a bad id or an oversized value
 * {@link IllegalArgumentException}. Implementations are thread-safe.
 *
 * @param <T> the type of the canvas objects
 */
public interface CanvasStore<T> extends AutoCloseable {

  /**
   * Returns an object and refreshes its project's lifetime.
   *
   * @throws CodecException if the stored value cannot be decoded (the message names the key)
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws StoreException if the store fails otherwise (a key of the wrong type, say)
   */
  Optional<T> get(String projectId, String objectId);

  /**
   * Inserts or replaces an object, refreshes its project's lifetime and marks it active.
   *
   * @throws IllegalArgumentException if an id is invalid or the encoded value is over the size
   *     limit
   * @throws CodecException if the value cannot be encoded
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws StoreException if the store fails otherwise
   */
  void put(String projectId, String objectId, T object);

  /**
   * Inserts or replaces several objects of one project, in chunks of at most
   * {@link StoreConfig#chunkSize} objects (and {@link StoreConfig#chunkBytes} bytes), so that no
   * single call keeps a shared server busy for long.
   *
   * <p>Each chunk is atomic: a reader sees all of it or none of it. A call that fits in one chunk
   * is thus atomic as a whole; a bigger one may be seen between chunks, with the first chunks
   * written and the later ones not yet. A call that fails after some chunks (an outage, the
   * canvas limit) leaves the chunks before it written and nothing of the others; calling it
   * again completes it (writes are idempotent).
   *
   * @throws IllegalArgumentException if an id is invalid or an encoded value is over the size
   *     limit; nothing is written then
   * @throws CanvasTooLargeException if the canvas would hold more than
   *     {@link StoreConfig#maxCanvasObjects} objects; the chunk that would cross it is not written
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws StoreException if the store fails otherwise
   */
  void putAll(String projectId, Map<String, ? extends T> objects);

  /**
   * Removes an object.
   *
   * @return whether the object was there
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws StoreException if the store fails otherwise
   */
  boolean remove(String projectId, String objectId);

  /**
   * Returns every object of a project and refreshes its lifetime. A canvas of up to
   * {@link StoreConfig#chunkSize} objects is one consistent snapshot; a bigger one is read in
   * pieces of about that many objects, and is then exact for every object nobody changed during
   * the read: an object written meanwhile has its old or its new value, one created or removed
   * meanwhile may or may not be there.
   *
   * <p>A stored value that cannot be decoded does not fail the whole canvas: it is left out of
   * the result, left untouched in the store, logged once and reported by the implementation.
   *
   * @return an immutable map, empty if the project has no objects
   * @throws StoreUnavailableException if the store cannot be reached
   * @throws StoreException if the store fails otherwise
   */
  Map<String, T> getAll(String projectId);

  /**
   * Returns the ids of a project's objects and refreshes its lifetime.
   *
   * @return an immutable set, empty if the project has no objects
   */
  Set<String> ids(String projectId);

  /** Returns how many objects a project has, and refreshes its lifetime. */
  int count(String projectId);

  /**
   * Removes every object of a project and its active mark, at once for readers: the canvas is
   * empty as soon as the call returns (and to every reader from the moment it takes effect),
   * and an object written after it is kept. Memory is freed without blocking other callers.
   */
  void clear(String projectId);

  /**
   * Returns the ids of the projects that have objects and have not expired, for auto-save
   * workers. Never reports a project whose objects expired.
   *
   * @return an immutable set
   */
  Set<String> activeProjects();

  /**
   * Stores {@code object} unless the project already holds a value for {@code objectId}.
   *
   * @return the value already there (nothing was written), or empty if {@code object} was stored
   */
  Optional<T> putIfAbsent(String projectId, String objectId, T object);

  /**
   * Stores {@code object} and returns what it replaced, atomically.
   *
   * @return the previous value, or empty if there was none
   */
  Optional<T> getAndPut(String projectId, String objectId, T object);

  /**
   * Removes an object and returns it, atomically.
   *
   * @return the removed value, or empty if there was none
   */
  Optional<T> getAndRemove(String projectId, String objectId);

  /**
   * Replaces an object only if it is there.
   *
   * @return the previous value, or empty if there was none (and nothing was written)
   */
  Optional<T> replace(String projectId, String objectId, T object);

  /**
   * Replaces an object only if its current value equals {@code expected} (same encoding).
   *
   * @return whether it was replaced
   */
  boolean replace(String projectId, String objectId, T expected, T replacement);

  /**
   * Removes an object only if its current value equals {@code expected} (same encoding).
   *
   * @return whether it was removed
   */
  boolean remove(String projectId, String objectId, T expected);

  /**
   * A live {@link ConcurrentMap} view of one project, backed by this store, so that code
   * written against a {@code Map} keeps working when its map is swapped for a store.
   *
   * <p>The view honours the whole {@code ConcurrentMap} contract: {@code putIfAbsent},
   * {@code replace}, {@code remove(k, v)} and the {@code compute}/{@code merge} family are
   * atomic (the latter by optimistic retry over the atomic operations), and its collection
   * views, iterators, {@code equals} and {@code hashCode} behave as a {@code Map}'s. Iterators
   * are weakly consistent: they walk a snapshot taken when they were created, and their
   * {@code remove} removes from the store. Null keys and values are rejected.
   */
  default ConcurrentMap<String, T> asMap(String projectId) {
    return new CanvasMapView<>(this, KeySchema.requireValidId("projectId", projectId));
  }

  /**
   * Registers a listener for the changes to one project, made through any instance that shares
   * this store's backing state (this one included), and returns the handle that ends it.
   *
   * <p>What a listener can rely on:
   * <ul>
   *   <li><b>Every change, once.</b> A write that changed something ({@code put}, {@code putAll},
   *       the conditional writes, {@code remove} of an object that was there, {@code clear} of a
   *       non-empty project) produces one {@link CanvasEvent.Put}, {@link CanvasEvent.Removed} or
   *       {@link CanvasEvent.Cleared} per object or project, at most once to each listener. A
   *       write that changed nothing produces no event. A canvas that expires produces none.
   *   <li><b>In order.</b> Events of one project arrive in the order its writes were applied,
   *       whichever instance made them.
   *   <li><b>No silent gaps.</b> When events may have been lost (the connection to the server
   *       dropped and came back, a failover switch, an event that could not be decoded), the
   *       listener receives a {@link CanvasEvent.Resync} after the subscription is working again;
   *       it should then re-read the canvas. A lost connection is re-established by the store
   *       itself, with backoff.
   *   <li><b>Echoes included.</b> This instance's own writes are delivered too; {@code
   *       event.isFrom(store.instanceId())} tells them apart.
   *   <li><b>Not durable.</b> Only changes made while subscribed are delivered; subscribe first,
   *       then read the canvas, so that nothing falls between the two.
   * </ul>
   *
   * <p>Listeners are called one event at a time, outside the store's locks, on a thread of the
   * store's (or the writing thread's, for in-process stores); see {@link CanvasListener}. When
   * this method returns, the subscription is in place, unless the backing store is unreachable:
   * then it is set up as soon as the store is back, and a resync follows.
   *
   * @return the subscription; closing it, or closing the store, ends delivery
   * @throws IllegalArgumentException if the project id is invalid
   * @throws IllegalStateException if the store is closed
   */
  Subscription subscribe(String projectId, CanvasListener<T> listener);

  /**
   * The id this store puts on the events it originates, unique per instance (process) unless
   * configured otherwise; see {@link CanvasEvent#isFrom}.
   */
  String instanceId();

  /** Releases what the store holds (connections, threads). Calls after close may fail. */
  @Override
  void close();
}
