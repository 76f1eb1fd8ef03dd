package io.canvasstate.inmemory;

import java.time.Duration;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Consumer;

/**
 * The ids of live entries ordered by expiry time, so that pruning visits what expired and
 * nothing else. An id has at most one entry; callers move it under the id's own lock.
 * Thread-safe.
 */
final class ExpiryIndex {
  /** The expiry time of something not in the index. */
  static final long NONE = Long.MIN_VALUE;

  private record Entry(long at, String id) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : id.compareTo(o.id);
    }
  }

  private static final Entry FIRST = new Entry(NONE, "");

  private final ConcurrentSkipListSet<Entry> entries = new ConcurrentSkipListSet<>();

  /** The expiry time of something touched at {@code now} with lifetime {@code ttlMillis}. */
  static long expiry(long now, long ttlMillis) {
    long at = now + ttlMillis;
    return ((now ^ at) & (ttlMillis ^ at)) < 0 ? Long.MAX_VALUE : at;
  }

  /** A lifetime in milliseconds, saturated. */
  static long millis(Duration ttl) {
    try {
      return ttl.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Moves {@code id} from expiry {@code from} ({@link #NONE} if not indexed) to {@code to}. */
  void move(String id, long from, long to) {
    if (from == to) {
      return;
    }
    entries.add(new Entry(to, id));
    remove(id, from);
  }

  /** Takes {@code id}, indexed at {@code at} ({@link #NONE} if not indexed), out of the index. */
  void remove(String id, long at) {
    if (at != NONE) {
      entries.remove(new Entry(at, id));
    }
  }

  /**
   * Hands each id whose expiry is at or before {@code now} to {@code expire}, oldest first, then
   * drops its entry. {@code expire} checks under the id's lock whether it really expired (it may
   * have been touched since). Costs what expired, not what is indexed.
   */
  void pollExpired(long now, Consumer<String> expire) {
    for (Entry e = entries.ceiling(FIRST); e != null && e.at() <= now; e = entries.ceiling(FIRST)) {
      expire.accept(e.id());
      entries.remove(e);
    }
  }

  /** How many ids are indexed. Not constant time. */
  int size() {
    return entries.size();
  }
}
