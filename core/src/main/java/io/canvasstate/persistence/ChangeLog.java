package io.canvasstate.persistence;

import static java.util.Objects.requireNonNull;

import io.canvasstate.KeySchema;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The SPI a canvas store implements to take part in persistence: the record of unsaved changes
 * it keeps next to the objects, and the primitives an {@link AutoSaveWorker} and the
 * read-through of {@link Persistence} build on. Applications never call it; a store hands it to
 * {@link Persistence#attach} when it is built with persistence.
 *
 * <p>What the store does, besides implementing these methods:
 * <ul>
 *   <li>Every write that changes an object records the object's id with a new
 *       <em>version</em> (unique and increasing per project) and whether it wrote or removed
 *       the object ({@link Kind}), atomically with the write, and lists the project among the
 *       dirty ones.
 *   <li>A project with unsaved changes does not expire; once it has none left it expires a
 *       lifetime after the save.
 *   <li>An operation on a project that is not <em>resident</em> (it has no objects, no unsaved
 *       changes, and is not known to be empty in the repository) first calls
 *       {@link Persistence#load}, then runs.
 * </ul>
 *
 * <p>Values are the stored bytes (the codec's encoding); {@link Persistence} decodes them.
 * Implementations must be thread-safe and, where several instances share the store, their
 * claims and load leases must hold across instances.
 */
public interface ChangeLog {

  /**
   * A project that has (or had, when it was listed) unsaved changes.
   *
   * @param projectId the project
   * @param since when its oldest unsaved change was recorded, in epoch milliseconds of the
   *     store's clock
   */
  record DirtyProject(String projectId, long since) {
    /** Checks the id. */
    public DirtyProject {
      KeySchema.requireValidId("projectId", projectId);
    }
  }

  /**
   * The unsaved changes as a whole.
   *
   * @param projects how many projects have unsaved changes
   * @param oldest the age of the oldest unsaved change, zero if there is none
   */
  record Backlog(int projects, Duration oldest) {
    /** Checks the components. */
    public Backlog {
      requireNonNull(oldest, "oldest");
    }
  }

  /** What an unsaved change did to its object. */
  enum Kind {
    /** The object was written: its value is the one to save. */
    UPSERT,
    /** The object was removed (or cleared): it is deleted in the repository. */
    DELETE
  }

  /**
   * One unsaved change: the object's id, the version recorded with the change, what the change
   * was, and the value the object has at that version.
   *
   * <p>An {@link Kind#UPSERT} without a value is a <em>lost</em> change: the store no longer holds
   * the value it recorded (an eviction, a {@code DEL} or {@code FLUSHDB}, a failover to a replica
   * that missed it). It is reported and never saved as a delete.
   *
   * @param objectId the object
   * @param version the version recorded with the change; the change is saved once this version
   *     is cleared
   * @param kind what the change was
   * @param value the stored bytes, or null if the store holds no value for the object; not
   *     copied, do not change
   */
  record Change(String objectId, String version, Kind kind, byte @Nullable [] value) {
    /** Checks the components. */
    public Change {
      requireNonNull(objectId, "objectId");
      requireNonNull(version, "version");
      requireNonNull(kind, "kind");
    }

    /**
     * A change recorded without its kind (by a store of an earlier release): an upsert if the
     * store holds a value, a delete if not.
     */
    public Change(String objectId, String version, byte @Nullable [] value) {
      this(objectId, version, value == null ? Kind.DELETE : Kind.UPSERT, value);
    }

    /** Whether this is an upsert whose value the store lost. */
    public boolean lost() {
      return kind == Kind.UPSERT && value == null;
    }

    @Override
    public String toString() {
      return "Change[" + objectId + "@" + version
          + (value != null ? "]" : kind == Kind.DELETE ? ", deleted]" : ", lost]");
    }
  }

  /** What {@link #claim} came to. */
  enum ClaimStatus {
    /** The caller holds the project until the lease ends; the claim carries its changes. */
    CLAIMED,
    /** The project has no unsaved changes. */
    CLEAN,
    /** Another owner holds a lease on the project that has not ended. */
    HELD
  }

  /**
   * A claim on a project's unsaved changes.
   *
   * @param status what the claim came to
   * @param projectId the project
   * @param owner who asked for it
   * @param fence the fence of this claim (larger than any before it on the project), for
   *     {@link ProjectChanges#fence()}; 0 unless claimed
   * @param changes a consistent snapshot of (some of) the unsaved changes: every value is the one
   *     its version was recorded with; empty unless claimed
   * @param pending how many unsaved changes the project had when claimed, these included
   */
  record Claim(
      ClaimStatus status, String projectId, String owner, long fence, List<Change> changes,
      int pending) {
    /** Checks and copies the components. */
    public Claim {
      requireNonNull(status, "status");
      requireNonNull(projectId, "projectId");
      requireNonNull(owner, "owner");
      changes = List.copyOf(changes);
    }

    /** A claim that found no unsaved changes. */
    public static Claim clean(String projectId, String owner) {
      return new Claim(ClaimStatus.CLEAN, projectId, owner, 0, List.of(), 0);
    }

    /** A claim that found the project held by another owner. */
    public static Claim held(String projectId, String owner) {
      return new Claim(ClaimStatus.HELD, projectId, owner, 0, List.of(), 0);
    }
  }

  /** What {@link #beginLoad} came to. */
  enum LoadStatus {
    /** The store holds the project (or knows it is empty): nothing to load. */
    RESIDENT,
    /** The caller holds the load lease and should load the project and call finishLoad. */
    LOAD,
    /** Another owner is loading it: wait a little and ask again. */
    WAIT
  }

  /**
   * Lists projects with unsaved changes, oldest change first.
   *
   * @param limit the most to return
   */
  List<DirtyProject> dirtyProjects(int limit);

  /**
   * Takes up to {@code limit} projects whose saving is due (oldest change first) for a worker,
   * and makes them not due for {@code lease}, so that workers of other instances take other
   * projects meanwhile. A project becomes due when it is first listed, when {@link #defer}'s
   * delay ends, or when the lease ends without the project being forgotten.
   *
   * @param limit the most to return, at least 1
   * @param lease how long the projects taken stay out of other workers' takes
   */
  List<DirtyProject> takeDue(int limit, Duration lease);

  /**
   * Makes a listed project due again after {@code delay} (zero: at once): after a save that left
   * changes, or a failure that backs the project off. Does nothing to a project not listed.
   */
  void defer(String projectId, Duration delay);

  /**
   * Lists again every project with unsaved changes that the list of dirty projects lacks (on a
   * Cluster, a write whose listing step failed after the write itself succeeded), so that none
   * stays unsaved and without expiry forever. It visits every project's record, in bounded steps:
   * workers call it at start and every {@link PersistenceConfig#reconcileInterval()}.
   *
   * @return how many projects it listed
   */
  int relist();

  /** How many projects have unsaved changes, and the age of the oldest change. */
  Backlog backlog();

  /**
   * Claims a project's unsaved changes for {@code owner} for {@code lease}, unless another owner
   * holds a lease that has not ended: atomically, takes a new fence and a snapshot of at most
   * {@code maxChanges} changes. The same owner may claim again while it holds the lease.
   */
  Claim claim(String projectId, String owner, Duration lease, int maxChanges);

  /**
   * Records that {@code saved} (changes of {@code claim}) are saved: clears each one whose version
   * is still the object's latest, so a change made since stays unsaved, and ends the claim if
   * {@code claim.owner()} still holds it. A project left without unsaved changes starts its
   * lifetime again and leaves the list of dirty projects (as {@link #forget} does).
   *
   * @return how many unsaved changes the project has left
   */
  int complete(Claim claim, Collection<Change> saved);

  /**
   * Writes back what the store lost of a claimed project: each of {@code objects} (the
   * repository's copy) for which the store holds no value and has no unsaved change other than a
   * lost upsert. Runs only while {@code claim.owner()} still holds the claim, so that it never
   * undoes a delete another instance saved after taking the project over. Each call does bounded
   * work; callers pass at most {@link PersistenceConfig#maxChangesPerSave()} objects at a time.
   *
   * @return whether the claim was still held (and the objects written where missing)
   */
  boolean restore(Claim claim, Map<String, byte[]> objects);

  /** Ends a claim without clearing anything, if its owner still holds it. */
  void release(Claim claim);

  /**
   * Takes a project out of the list of dirty projects if it has no unsaved changes (a change
   * recorded meanwhile keeps it listed).
   */
  void forget(DirtyProject project);

  /**
   * Starts loading a project that is not resident: takes the load lease for {@code owner} for
   * {@code lease} unless another owner holds it.
   */
  LoadStatus beginLoad(String projectId, String owner, Duration lease);

  /**
   * Stores what was loaded, if the project is still not resident (if it is, what it holds is
   * newer and is kept), and ends the load lease: a project loaded empty is remembered as empty
   * for a lifetime.
   *
   * @return whether the objects were stored
   */
  boolean finishLoad(String projectId, String owner, Map<String, byte[]> objects);

  /** Ends {@code owner}'s load lease without storing anything, after a failed load. */
  void abandonLoad(String projectId, String owner);
}
