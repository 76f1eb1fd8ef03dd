package io.canvasstate.failover;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The changes made during an outage, waiting to be written back: the latest change per object
 * (or user), in the order of their latest change, each with its base, the value this instance
 * last saw in the primary before changing it (several values if operations on it overlapped;
 * see {@link Seen}).
 *
 * <p>An entry also remembers the values this instance may itself have written to the primary
 * without knowing it: a write that timed out may still have been applied. Such a value in the
 * primary is ours, not a conflict.
 *
 * <p>Thread-safe: every method synchronizes on the journal, and callers that must apply a
 * change to the fallback and journal it atomically hold the same monitor around both.
 */
final class Journal {
  /** How many possibly-applied values an entry remembers; older ones are forgotten. */
  static final int MAX_UNCERTAIN = 8;
  /** The id of the entry that stands for "the whole project was cleared". */
  static final String CLEAR_MARKER = "";

  /** A copy of an entry taken for writing back. Arrays are never modified once journaled. */
  record Change(
      ChangeKey key,
      long seq,
      List<Optional<byte[]>> bases,
      Optional<byte[]> value,
      List<Optional<byte[]>> possiblyOurs,
      Instant writtenAt,
      boolean baseUnknown) {
    boolean isClearMarker() {
      return key.id().equals(CLEAR_MARKER);
    }

    /**
     * Whether this is a blind delete: a delete of an object this instance knew nothing about
     * when it was first journaled, so that no base can tell a change made elsewhere.
     */
    boolean isBlindDelete() {
      return baseUnknown && value.isEmpty();
    }

    /** The value the primary most likely holds, to try the compare-and-set with first. */
    Optional<byte[]> base() {
      return bases.get(0);
    }

    /** Whether the primary holding {@code current} means nobody else changed it. */
    boolean expects(Optional<byte[]> current) {
      for (Optional<byte[]> base : bases) {
        if (same(current, base)) {
          return true;
        }
      }
      for (Optional<byte[]> ours : possiblyOurs) {
        if (same(current, ours)) {
          return true;
        }
      }
      return false;
    }
  }

  private static final class Entry {
    List<Optional<byte[]>> bases;
    Optional<byte[]> value = Optional.empty();
    final List<Optional<byte[]>> possiblyOurs = new ArrayList<>(1);
    long seq;
    Instant writtenAt = Instant.EPOCH;
    final boolean baseUnknown;

    Entry(List<Optional<byte[]>> bases, boolean baseUnknown) {
      this.bases = List.copyOf(bases);
      this.baseUnknown = baseUnknown;
    }

    void addPossiblyOurs(Optional<byte[]> v) {
      for (Optional<byte[]> o : possiblyOurs) {
        if (same(o, v)) {
          return;
        }
      }
      if (possiblyOurs.size() == MAX_UNCERTAIN) {
        possiblyOurs.remove(0);
      }
      possiblyOurs.add(v);
    }
  }

  private final int limit;
  private final LinkedHashMap<ChangeKey, Entry> entries = new LinkedHashMap<>();
  private long seq;

  Journal(int limit) {
    this.limit = limit;
  }

  static boolean same(Optional<byte[]> a, Optional<byte[]> b) {
    return a.isPresent() ? b.isPresent() && Arrays.equals(a.get(), b.get()) : b.isEmpty();
  }

  /**
   * Journals a change: {@code value} is the new value, empty for a delete.
   *
   * @param bases what this instance last saw in the primary (see {@link Seen}); asked only for
   *     a new entry
   * @param possiblyApplied whether this very change may also have reached the primary (the
   *     call to it failed)
   * @return false if the journal was full and the change was not journaled
   */
  synchronized boolean record(ChangeKey key, Optional<byte[]> value,
      Supplier<List<Optional<byte[]>>> bases, boolean possiblyApplied, Instant now) {
    return record(key, value, bases, possiblyApplied, false, now);
  }

  /**
   * Journals a change as {@link #record(ChangeKey, Optional, Supplier, boolean, Instant)} does;
   * {@code baseUnknown} says that this instance knows nothing of the object (a new entry is then
   * a blind change: see {@link Change#isBlindDelete()}).
   */
  synchronized boolean record(ChangeKey key, Optional<byte[]> value,
      Supplier<List<Optional<byte[]>>> bases, boolean possiblyApplied, boolean baseUnknown,
      Instant now) {
    Entry e = entries.remove(key);
    if (e == null) {
      if (entries.size() >= limit) {
        return false;
      }
      e = new Entry(bases.get(), baseUnknown);
    }
    e.value = value;
    e.seq = ++seq;
    e.writtenAt = now;
    if (possiblyApplied) {
      e.addPossiblyOurs(value);
    }
    entries.put(key, e);
    return true;
  }

  /**
   * Notes that this instance wrote {@code value} to the primary while the journal was in use (a
   * call that started before the failover and succeeded), so that finding it there is no
   * conflict.
   */
  synchronized void notePrimaryWrite(ChangeKey key, Optional<byte[]> value) {
    Entry e = entries.get(key);
    if (e != null) {
      e.addPossiblyOurs(value);
    }
  }

  synchronized int size() {
    return entries.size();
  }

  synchronized long lastSeq() {
    return seq;
  }

  synchronized boolean contains(ChangeKey key) {
    return entries.containsKey(key);
  }

  /** The object ids of a project that have journaled changes (clear markers left out). */
  synchronized List<String> objectIds(String projectId) {
    List<String> out = new ArrayList<>();
    for (ChangeKey k : entries.keySet()) {
      if (k.kind() == ChangeKey.Kind.CANVAS_OBJECT && !k.id().equals(CLEAR_MARKER)
          && k.projectId().orElseThrow().equals(projectId)) {
        out.add(k.id());
      }
    }
    return out;
  }

  /** The oldest {@code max} changes whose sequence number is at most {@code maxSeq}. */
  synchronized List<Change> oldest(int max, long maxSeq) {
    List<Change> out = new ArrayList<>(Math.min(max, entries.size()));
    for (Map.Entry<ChangeKey, Entry> me : entries.entrySet()) {
      if (out.size() == max) {
        break;
      }
      Entry e = me.getValue();
      if (e.seq <= maxSeq) {
        out.add(snapshot(me.getKey(), e));
      }
    }
    return out;
  }

  private static Change snapshot(ChangeKey key, Entry e) {
    return new Change(key, e.seq, e.bases, e.value, List.copyOf(e.possiblyOurs),
        e.writtenAt, e.baseUnknown);
  }

  /**
   * Removes a change that was written back (or resolved otherwise). If it was changed again
   * meanwhile, the newer change stays; when {@code nowInPrimary} is present the primary now
   * holds this instance's written value, which becomes the newer change's base.
   */
  synchronized void done(Change c, Optional<Optional<byte[]>> nowInPrimary) {
    Entry e = entries.get(c.key());
    if (e == null) {
      return;
    }
    if (e.seq == c.seq()) {
      entries.remove(c.key());
    } else if (nowInPrimary.isPresent()) {
      e.bases = List.of(nowInPrimary.get());
    }
  }

  /** Writing {@code c} back failed with an unknown outcome: its value may be in the primary. */
  synchronized void possiblyApplied(Change c) {
    Entry e = entries.get(c.key());
    if (e != null) {
      e.addPossiblyOurs(c.value());
    }
  }

  /** Removes and returns every change, oldest first. */
  synchronized List<Change> drain() {
    List<Change> out = new ArrayList<>(entries.size());
    for (Iterator<Map.Entry<ChangeKey, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<ChangeKey, Entry> me = it.next();
      out.add(snapshot(me.getKey(), me.getValue()));
      it.remove();
    }
    return out;
  }

  /** A value for a listener: the encoding as UTF-8 text. */
  static Optional<String> text(Optional<byte[]> value) {
    return value.map(b -> new String(b, StandardCharsets.UTF_8));
  }

  @Override
  public synchronized String toString() {
    return "Journal[" + entries.size() + " of " + limit + "]";
  }
}
