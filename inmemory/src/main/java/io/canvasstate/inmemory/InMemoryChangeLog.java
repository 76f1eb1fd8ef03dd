package io.canvasstate.inmemory;

import io.canvasstate.CanvasTooLargeException;
import io.canvasstate.KeySchema;
import io.canvasstate.persistence.ChangeLog;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ChangeLog} of an {@link InMemoryCanvasStore} with persistence, with the semantics of
 * the Redis one: each project's unsaved changes (object id &rarr; version) and claim, and its
 * load lease or "known empty" mark, all read and changed under the project's lock in the store,
 * so they are atomic with its writes. Times come from the store's clock. Thread-safe.
 */
final class InMemoryChangeLog implements ChangeLog {
  private final InMemoryCanvasStore<?> store;
  private final InstantSource clock;
  private final long ttlMillis;
  /** Projects with unsaved changes; an entry exists only while it has some. */
  private final ConcurrentHashMap<String, Dirty> dirty = new ConcurrentHashMap<>();
  /** Load leases and "known empty" marks. */
  private final ConcurrentHashMap<String, Load> loads = new ConcurrentHashMap<>();
  private final AtomicLong versions = new AtomicLong();

  /** A project's unsaved changes and the claim on them; guarded by the project's lock. */
  private static final class Dirty {
    final Map<String, Entry> versions = new LinkedHashMap<>();
    final long since;
    /** When a worker may next take it ({@link #takeDue}); guarded by the change log. */
    volatile long due;
    @Nullable String owner;
    long until;

    Dirty(long since) {
      this.since = since;
      this.due = since;
    }
  }

  /** One unsaved change: its version and whether it wrote (else removed) the object. */
  private record Entry(long version, boolean upsert) {
    /** The version as the change log hands it out: as Redis stores it, with its kind. */
    String text() {
      return Long.toString(version) + (upsert ? 'u' : 'd');
    }
  }

  /** A load lease of {@code owner}, or a "known empty" mark when {@code owner} is null. */
  private record Load(@Nullable String owner, long until) {}

  InMemoryChangeLog(InMemoryCanvasStore<?> store, InstantSource clock, long ttlMillis) {
    this.store = store;
    this.clock = clock;
    this.ttlMillis = ttlMillis;
  }

  // ---- called by the store under the project's lock ----

  /** Whether a project without objects is resident: it has unsaved changes or is known empty. */
  boolean resident(String projectId, long now) {
    if (dirty.containsKey(projectId)) {
      return true;
    }
    Load load = loads.get(projectId);
    return load != null && load.owner() == null && load.until() > now;
  }

  /**
   * Records the objects an operation changed through {@code view} as unsaved.
   *
   * @return whether the project has unsaved changes (and so must not expire)
   */
  boolean record(String projectId, RecordingMap view, long now) {
    if (!view.changed().isEmpty()) {
      long version = nextVersion(now);
      Dirty d = dirty.computeIfAbsent(projectId, id -> new Dirty(now));
      for (String objectId : view.changed()) {
        d.versions.put(objectId, new Entry(version, view.containsKey(objectId)));
      }
      loads.remove(projectId);
    }
    return dirty.containsKey(projectId);
  }

  /** Whether a project has unsaved changes. */
  boolean isDirty(String projectId) {
    return dirty.containsKey(projectId);
  }

  private long nextVersion(long now) {
    long floor = now * 1000;
    return versions.updateAndGet(v -> Math.max(v + 1, floor));
  }

  // ---- the change log ----

  @Override
  public List<DirtyProject> dirtyProjects(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    long now = clock.millis();
    loads.entrySet().removeIf(e -> e.getValue().until() <= now); // expired leases and marks
    List<DirtyProject> out = new ArrayList<>();
    dirty.forEach((id, d) -> out.add(new DirtyProject(id, d.since)));
    out.sort(Comparator.comparingLong(DirtyProject::since));
    return List.copyOf(out.subList(0, Math.min(limit, out.size())));
  }

  @Override
  public synchronized List<DirtyProject> takeDue(int limit, Duration lease) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    long now = clock.millis();
    List<Map.Entry<String, Dirty>> due = new ArrayList<>();
    dirty.forEach((id, d) -> {
      if (d.due <= now) {
        due.add(Map.entry(id, d));
      }
    });
    due.sort(Comparator.comparingLong(e -> e.getValue().due));
    List<DirtyProject> out = new ArrayList<>(Math.min(limit, due.size()));
    for (Map.Entry<String, Dirty> e : due.subList(0, Math.min(limit, due.size()))) {
      e.getValue().due = now + lease.toMillis();
      out.add(new DirtyProject(e.getKey(), e.getValue().since));
    }
    return List.copyOf(out);
  }

  @Override
  public synchronized void defer(String projectId, Duration delay) {
    Dirty d = dirty.get(projectId);
    if (d != null) {
      d.due = clock.millis() + Math.max(0, delay.toMillis());
    }
  }

  /** Nothing to do: a project is listed exactly while it has unsaved changes. */
  @Override
  public int relist() {
    return 0;
  }

  @Override
  public boolean restore(Claim claim, Map<String, byte[]> copy) {
    String projectId = claim.projectId();
    return store.locked(projectId, (objects, now) -> {
      Dirty d = dirty.get(projectId);
      if (d == null || !claim.owner().equals(d.owner)) {
        return false;
      }
      copy.forEach((objectId, value) -> {
        if (!objects.containsKey(objectId)) {
          Entry e = d.versions.get(objectId);
          if (e == null || e.upsert()) {
            objects.put(objectId, value.clone());
          }
        }
      });
      return true;
    });
  }

  @Override
  public Backlog backlog() {
    long now = clock.millis();
    long oldest = now;
    int projects = 0;
    for (Dirty d : dirty.values()) {
      projects++;
      oldest = Math.min(oldest, d.since);
    }
    return new Backlog(projects, Duration.ofMillis(Math.max(0, now - oldest)));
  }

  @Override
  public Claim claim(String projectId, String owner, Duration lease, int maxChanges) {
    KeySchema.requireValidId("projectId", projectId);
    return store.locked(projectId, (objects, now) -> {
      Dirty d = dirty.get(projectId);
      if (d == null) {
        return Claim.clean(projectId, owner);
      }
      if (d.owner != null && !d.owner.equals(owner) && d.until > now) {
        return Claim.held(projectId, owner);
      }
      long fence = nextVersion(now);
      d.owner = owner;
      d.until = now + lease.toMillis();
      List<Change> changes = new ArrayList<>(Math.min(maxChanges, d.versions.size()));
      for (Map.Entry<String, Entry> e : d.versions.entrySet()) {
        if (changes.size() == maxChanges) {
          break;
        }
        Entry entry = e.getValue();
        changes.add(new Change(e.getKey(), entry.text(), entry.upsert() ? Kind.UPSERT : Kind.DELETE,
            objects.get(e.getKey())));
      }
      return new Claim(ClaimStatus.CLAIMED, projectId, owner, fence, changes, d.versions.size());
    });
  }

  @Override
  public int complete(Claim claim, Collection<Change> saved) {
    String projectId = claim.projectId();
    return store.locked(projectId, (objects, now) -> {
      Dirty d = dirty.get(projectId);
      if (d == null) {
        return 0;
      }
      for (Change c : saved) {
        Entry current = d.versions.get(c.objectId());
        if (current != null && current.text().equals(c.version())) {
          d.versions.remove(c.objectId());
        }
      }
      if (claim.owner().equals(d.owner)) {
        d.owner = null;
      }
      if (d.versions.isEmpty()) {
        dirty.remove(projectId); // the store gives the project its lifetime back
      }
      return d.versions.size();
    });
  }

  @Override
  public void release(Claim claim) {
    store.locked(claim.projectId(), (objects, now) -> {
      Dirty d = dirty.get(claim.projectId());
      if (d != null && claim.owner().equals(d.owner)) {
        d.owner = null;
      }
      return null;
    });
  }

  /** Nothing to do: a project is listed exactly while it has unsaved changes. */
  @Override
  public void forget(DirtyProject project) {}

  @Override
  public LoadStatus beginLoad(String projectId, String owner, Duration lease) {
    return store.locked(projectId, (objects, now) -> {
      if (!objects.isEmpty() || dirty.containsKey(projectId)) {
        return LoadStatus.RESIDENT;
      }
      Load load = loads.get(projectId);
      if (load != null && load.until() <= now) {
        loads.remove(projectId);
        load = null;
      }
      if (load != null && load.owner() == null) {
        return LoadStatus.RESIDENT;
      }
      if (load == null || owner.equals(load.owner())) {
        loads.put(projectId, new Load(owner, now + lease.toMillis()));
        return LoadStatus.LOAD;
      }
      return LoadStatus.WAIT;
    });
  }

  @Override
  public boolean finishLoad(String projectId, String owner, Map<String, byte[]> loaded) {
    if (loaded.size() > store.maxCanvasObjects()) {
      abandonLoad(projectId, owner);
      throw new CanvasTooLargeException(projectId, store.maxCanvasObjects(),
          "loading its " + loaded.size() + " objects from the repository");
    }
    return store.locked(projectId, (objects, now) -> {
      if (!objects.isEmpty() || dirty.containsKey(projectId)) {
        Load load = loads.get(projectId);
        if (load != null && owner.equals(load.owner())) {
          loads.remove(projectId);
        }
        return false;
      }
      if (loaded.isEmpty()) {
        loads.put(projectId, new Load(null, ExpiryIndex.expiry(now, ttlMillis)));
      } else {
        loaded.forEach((id, bytes) -> objects.put(id, bytes.clone()));
        loads.remove(projectId);
      }
      return true;
    });
  }

  @Override
  public void abandonLoad(String projectId, String owner) {
    store.locked(projectId, (objects, now) -> {
      Load load = loads.get(projectId);
      if (load != null && owner.equals(load.owner())) {
        loads.remove(projectId);
      }
      return null;
    });
  }

  @Override
  public String toString() {
    return "InMemoryChangeLog[" + dirty.size() + " dirty projects]";
  }
}
