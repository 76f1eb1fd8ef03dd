package io.canvasstate.failover;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last known presence, in the primary, of the users this instance read and wrote, with
 * when it was seen; bounded, forgetting the least recently seen first. It seeds the fallback
 * and gives each outage change its base; overlapping operations are recorded as in
 * {@link CanvasCopy}. Thread-safe (every method synchronizes).
 */
final class PresenceCopy {
  private static final class User {
    final Seen seen;
    long at;

    User(Seen seen, long at) {
      this.seen = seen;
      this.at = at;
    }
  }

  private final int limit;
  private final LinkedHashMap<String, User> users = new LinkedHashMap<>(16, 0.75f, true);
  private long writes;

  PresenceCopy(int limit) {
    this.limit = limit;
  }

  synchronized long mark() {
    return writes;
  }

  /**
   * Records that an operation that started at {@code mark} saw the primary hold {@code value}
   * for the user, or left it holding that (empty: nothing).
   */
  synchronized void user(String userId, Optional<byte[]> value, long mark, long now) {
    long seq = ++writes;
    if (limit == 0) {
      return;
    }
    User u = users.get(userId);
    if (u == null) {
      users.put(userId, new User(new Seen(value, seq), now));
    } else {
      u.seen.record(value, mark, seq);
      u.at = now;
    }
    trim();
  }

  /**
   * Records that the primary held exactly {@code all}, as read by one {@code getAll} that
   * started at {@code mark}; ignored if anything was recorded since.
   */
  synchronized void snapshot(Map<String, byte[]> all, long mark, long now) {
    if (writes != mark || limit == 0) {
      return;
    }
    long seq = ++writes;
    users.clear();
    for (Map.Entry<String, byte[]> e : all.entrySet()) {
      users.put(e.getKey(), new User(new Seen(Optional.of(e.getValue()), seq), now));
    }
    trim();
  }

  /** The values the primary may hold for the user, the latest recorded first. */
  synchronized List<Optional<byte[]>> bases(String userId) {
    User u = users.get(userId);
    return u == null ? List.of(Optional.empty()) : u.seen.candidates();
  }

  /** The presences seen at or after {@code since}, to seed the fallback. */
  synchronized Map<String, byte[]> seenSince(long since) {
    Map<String, byte[]> out = new HashMap<>();
    for (Map.Entry<String, User> e : users.entrySet()) {
      if (e.getValue().at >= since) {
        e.getValue().seen.latest().ifPresent(v -> out.put(e.getKey(), v));
      }
    }
    return out;
  }

  private void trim() {
    Iterator<User> it = users.values().iterator();
    while (users.size() > limit && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
