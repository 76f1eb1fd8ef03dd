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
  private static final class Project {
    final HashMap<String, Seen> objects = new HashMap<>();
    long lastWrite;
    long clearedAt;
    long touchedAt;
  }

  private final int limit;
  private final LinkedHashMap<String, Project> projects = new LinkedHashMap<>(16, 0.75f, true);
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
    Seen s = p.objects.get(objectId);
    if (s == null) {
      s = new Seen(Optional.empty(), p.clearedAt);
      p.objects.put(objectId, s);
      size++;
    }
    s.record(value, mark, p.lastWrite);
    trim();
  }

  /**
   * Records that the primary held exactly {@code objects} for the project, as read by one
   * {@code getAll} that started at {@code mark}; ignored if anything was recorded for the
   * project since (it may be newer than the snapshot).
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
    size -= p.objects.size();
    p.objects.clear();
    long seq = ++writes;
    for (Map.Entry<String, byte[]> e : objects.entrySet()) {
      p.objects.put(e.getKey(), new Seen(Optional.of(e.getValue()), seq));
    }
    size += p.objects.size();
    p.lastWrite = seq;
    p.touchedAt = now;
    trim();
  }

  /** Records that a clear that started at {@code mark} left the project without objects. */
  synchronized void cleared(String projectId, long mark, long now) {
    if (limit == 0) {
      return;
    }
    Project p = touch(projectId, now);
    for (Iterator<Seen> it = p.objects.values().iterator(); it.hasNext(); ) {
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
    Seen s = p == null ? null : p.objects.get(objectId);
    return s == null ? List.of(Optional.empty()) : s.candidates();
  }

  /** The known objects of every project touched at or after {@code since}, to seed the fallback. */
  synchronized Map<String, Map<String, byte[]>> projectsTouchedSince(long since) {
    Map<String, Map<String, byte[]>> out = new HashMap<>();
    for (Map.Entry<String, Project> e : projects.entrySet()) {
      Project p = e.getValue();
      if (p.touchedAt < since) {
        continue;
      }
      Map<String, byte[]> objects = new HashMap<>();
      p.objects.forEach((id, s) -> s.latest().ifPresent(v -> objects.put(id, v)));
      if (!objects.isEmpty()) {
        out.put(e.getKey(), objects);
      }
    }
    return out;
  }

  /** How many objects (and recorded deletes) the copy holds. */
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
      size -= p.objects.size();
      it.remove();
      lastEviction = ++writes;
    }
  }
}
