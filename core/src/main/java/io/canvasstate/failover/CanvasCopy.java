package io.canvasstate.failover;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The last known state, in the primary, of the canvas objects this instance read and wrote:
 * whole projects from {@code getAll} snapshots plus single reads and writes, bounded by a
 * number of objects and forgetting whole projects least recently used first.
 *
 * <p>It seeds the fallback when the primary fails and gives each outage change its base. The
 * arrays it holds are never modified. Thread-safe (every method synchronizes).
 */
final class CanvasCopy {
  private static final class Project {
    final HashMap<String, byte[]> objects = new HashMap<>();
    long lastWrite;
    long touchedAt;
  }

  private final int limit;
  private final LinkedHashMap<String, Project> projects = new LinkedHashMap<>(16, 0.75f, true);
  private int size;
  private long writes;

  CanvasCopy(int limit) {
    this.limit = limit;
  }

  /** A mark to pass to {@link #snapshot}, taken before the read whose result it installs. */
  synchronized long mark() {
    return writes;
  }

  /** The primary holds {@code value} for the object (or nothing, if empty). */
  synchronized void object(String projectId, String objectId, Optional<byte[]> value, long now) {
    if (limit == 0) {
      return;
    }
    Project p = projects.get(projectId);
    if (p == null) {
      if (value.isEmpty()) {
        return;
      }
      p = new Project();
      projects.put(projectId, p);
    }
    p.lastWrite = ++writes;
    p.touchedAt = now;
    byte[] old = value.isPresent()
        ? p.objects.put(objectId, value.get())
        : p.objects.remove(objectId);
    if (value.isPresent() && old == null) {
      size++;
    } else if (value.isEmpty() && old != null) {
      size--;
    }
    trim();
  }

  /**
   * The primary holds exactly {@code objects} for the project, as read by one {@code getAll}
   * that started at {@code mark}; ignored if a write to the project was recorded since.
   */
  synchronized void snapshot(String projectId, Map<String, byte[]> objects, long mark, long now) {
    if (limit == 0) {
      return;
    }
    Project p = projects.get(projectId);
    if (p != null && p.lastWrite > mark) {
      return;
    }
    if (p == null) {
      if (objects.isEmpty()) {
        return;
      }
      p = new Project();
      projects.put(projectId, p);
    }
    size -= p.objects.size();
    p.objects.clear();
    p.objects.putAll(objects);
    size += p.objects.size();
    p.touchedAt = now;
    trim();
  }

  /** The primary holds no object of the project. */
  synchronized void cleared(String projectId, long now) {
    Project p = projects.get(projectId);
    if (p != null) {
      size -= p.objects.size();
      p.objects.clear();
      p.lastWrite = ++writes;
      p.touchedAt = now;
    }
  }

  /** What this instance last saw of the object in the primary; empty if nothing, or forgotten. */
  synchronized Optional<byte[]> base(String projectId, String objectId) {
    Project p = projects.get(projectId);
    return p == null ? Optional.empty() : Optional.ofNullable(p.objects.get(objectId));
  }

  /** The known objects of every project touched at or after {@code since}, to seed the fallback. */
  synchronized Map<String, Map<String, byte[]>> projectsTouchedSince(long since) {
    Map<String, Map<String, byte[]>> out = new HashMap<>();
    for (Map.Entry<String, Project> e : projects.entrySet()) {
      Project p = e.getValue();
      if (p.touchedAt >= since && !p.objects.isEmpty()) {
        out.put(e.getKey(), new HashMap<>(p.objects));
      }
    }
    return out;
  }

  synchronized int size() {
    return size;
  }

  /** Forgets least recently used projects until the bound holds (possibly the newest too). */
  private void trim() {
    Iterator<Project> it = projects.values().iterator();
    while (size > limit && it.hasNext()) {
      Project p = it.next();
      size -= p.objects.size();
      it.remove();
    }
  }
}
