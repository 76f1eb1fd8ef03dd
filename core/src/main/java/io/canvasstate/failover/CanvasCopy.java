package io.canvasstate.failover;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last known state, in the primary, of the canvas objects this instance read and wrote:
 * whole projects from {@code getAll} snapshots plus single reads and writes (deletes included),
 * bounded by a number of entries and forgetting whole projects least recently used first.
 *
 * <p>It seeds the fallback when the primary fails and gives each outage change its base. Each
 * operation takes a {@link #mark()} before it calls the primary and records what it saw or
 * wrote with that mark, so that operations that overlapped (whose order in the primary this
 * instance cannot know) leave every value they saw as a possible base, and a snapshot read
 * while something was written is not installed over the write. The arrays it holds are never
 * modified. Thread-safe (every method synchronizes).
 */
final class CanvasCopy {
  /**
   * One project: the map the last {@code getAll} returned, held as it is (it is immutable, so
   * installing a snapshot copies nothing), and what was recorded since, which wins over it.
   */
  private static final class Project {
    Map<String, byte[]> snapshot = Map.of();
    long snapshotSeq;
    final HashMap<String, Seen> recorded = new HashMap<>();
    long lastWrite;
    long clearedAt;
    long touchedAt;

    int size() {
      return snapshot.size() + recorded.size();
    }

    /** A new record for an object, starting from what the snapshot says. */
    Seen seen(String objectId) {
      byte[] fromSnapshot = snapshot.get(objectId);
      return fromSnapshot == null
          ? new Seen(Optional.empty(), clearedAt)
          : new Seen(Optional.of(fromSnapshot), Math.max(clearedAt, snapshotSeq));
    }
  }

  private final int limit;
  private final LinkedHashMap<String, Project> projects = new LinkedHashMap<>(16, 0.75f, true);
  /** Snapshot entries plus recorded entries (an object in both counts twice): the bound. */
  private int size;
  private long writes;
  /** The value of {@code writes} when a project was last forgotten. */
  private long lastEviction;

  CanvasCopy(int limit) {
    this.limit = limit;
  }

  /** A mark to take before calling the primary, for recording what the call saw or did. */
  synchronized long mark() {
    return writes;
  }

  /**
   * Records that an operation that started at {@code mark} saw the primary hold {@code value}
   * for the object, or left it holding that (empty: nothing).
   */
  synchronized void object(
      String projectId, String objectId, Optional<byte[]> value, long mark, long now) {
    if (limit == 0) {
      return;
    }
    Project p = touch(projectId, now);
    Seen s = p.recorded.get(objectId);
    if (s == null) {
      s = p.seen(objectId);
      p.recorded.put(objectId, s);
      size++;
    }
    s.record(value, mark, p.lastWrite);
    trim();
  }

  /**
   * Records what a change event from the primary said the object holds now (empty: nothing).
   * Events arrive on their own connection, in the primary's order but not in order with this
   * instance's own calls, so a value recorded before is kept as a possible base too.
   */
  synchronized void heard(String projectId, String objectId, Optional<byte[]> value, long now) {
    if (limit == 0) {
      return;
    }
    Project p = projects.get(projectId);
    boolean known = p != null
        && (p.recorded.containsKey(objectId) || p.snapshot.containsKey(objectId));
    if (!known) {
      // Nothing to keep: what the event says is all this instance knows of the object.
      object(projectId, objectId, value, Long.MAX_VALUE, now);
      return;
    }
    object(projectId, objectId, value, -1, now);
  }

  /** Records that a change event from the primary said the project was cleared. */
  synchronized void heardCleared(String projectId, long now) {
    cleared(projectId, -1, now);
  }

  /**
   * Whether this instance knows anything of the object: it read, wrote or heard of it (the
   * value, or that there is none), or took a snapshot of its project since; false also once the
   * copy has forgotten it.
   */
  synchronized boolean knows(String projectId, String objectId) {
    Project p = projects.get(projectId);
    return p != null && (p.snapshotSeq > 0 || p.clearedAt > 0 || p.recorded.containsKey(objectId));
  }

  /**
   * Records that the primary held exactly {@code objects} for the project, as read by one
   * {@code getAll} that started at {@code mark}; ignored if anything was recorded for the
   * project since (it may be newer than the snapshot). The map is kept as it is: it must be
   * immutable and its arrays never modified.
   */
  synchronized void snapshot(String projectId, Map<String, byte[]> objects, long mark, long now) {
    if (limit == 0) {
      return;
    }
    Project p = projects.get(projectId);
    if (p != null ? p.lastWrite > mark : lastEviction > mark) {
      return;
    }
    if (p == null) {
      p = new Project();
      projects.put(projectId, p);
    }
    size -= p.size();
    p.recorded.clear();
    p.snapshot = objects;
    p.snapshotSeq = ++writes;
    p.lastWrite = p.snapshotSeq;
    p.touchedAt = now;
    size += p.size();
    trim();
  }

  /** Records that a clear that started at {@code mark} left the project without objects. */
  synchronized void cleared(String projectId, long mark, long now) {
    if (limit == 0) {
      return;
    }
    Project p = touch(projectId, now);
    if (p.snapshotSeq > mark) {
      // A snapshot read while the clear ran: its objects may or may not have been cleared.
      for (String id : p.snapshot.keySet()) {
        if (!p.recorded.containsKey(id)) {
          p.recorded.put(id, p.seen(id));
          size++;
        }
      }
    }
    size -= p.snapshot.size();
    p.snapshot = Map.of();
    for (Iterator<Seen> it = p.recorded.values().iterator(); it.hasNext(); ) {
      Seen s = it.next();
      if (s.seq > mark) {
        s.maybeCleared(p.lastWrite);
      } else {
        it.remove();
        size--;
      }
    }
    p.clearedAt = p.lastWrite;
    trim();
  }

  /**
   * The values the primary may hold for the object, as far as this instance knows, the latest
   * recorded first: one, unless operations on it overlapped; just "nothing" if it was never seen
   * or was forgotten.
   */
  synchronized List<Optional<byte[]>> bases(String projectId, String objectId) {
    Project p = projects.get(projectId);
    if (p == null) {
      return List.of(Optional.empty());
    }
    Seen s = p.recorded.get(objectId);
    if (s != null) {
      return s.candidates();
    }
    return List.of(Optional.ofNullable(p.snapshot.get(objectId)));
  }

  /** The known objects of every project touched at or after {@code since}, to seed the fallback. */
  synchronized Map<String, Map<String, byte[]>> projectsTouchedSince(long since) {
    Map<String, Map<String, byte[]>> out = new HashMap<>();
    for (Map.Entry<String, Project> e : projects.entrySet()) {
      Project p = e.getValue();
      if (p.touchedAt < since) {
        continue;
      }
      Map<String, byte[]> objects = new HashMap<>(p.snapshot);
      p.recorded.forEach((id, s) -> {
        if (s.latest().isPresent()) {
          objects.put(id, s.latest().get());
        } else {
          objects.remove(id);
        }
      });
      if (!objects.isEmpty()) {
        out.put(e.getKey(), objects);
      }
    }
    return out;
  }

  /** How many entries the copy holds (snapshot objects and recorded ones), as bounded. */
  synchronized int size() {
    return size;
  }

  /** The project's entry, created if missing, marked as written now. */
  private Project touch(String projectId, long now) {
    Project p = projects.get(projectId);
    if (p == null) {
      p = new Project();
      projects.put(projectId, p);
    }
    p.lastWrite = ++writes;
    p.touchedAt = now;
    return p;
  }

  /**
   * Forgets least recently used projects until the bound holds (possibly the newest too): at
   * most {@code limit} entries, and as many projects.
   */
  private void trim() {
    Iterator<Project> it = projects.values().iterator();
    while ((size > limit || projects.size() > limit) && it.hasNext()) {
      Project p = it.next();
      size -= p.size();
      it.remove();
      lastEviction = ++writes;
    }
  }
}
