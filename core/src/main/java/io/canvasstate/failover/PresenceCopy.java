package io.canvasstate.failover;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The last known presence, in the primary, of the users this instance read and wrote, with
 * when it was seen; bounded, forgetting the least recently seen first. It seeds the fallback
 * and gives each outage change its base. Thread-safe (every method synchronizes).
 */
final class PresenceCopy {
  private record Seen(byte[] value, long at) {}

  private final int limit;
  private final LinkedHashMap<String, Seen> users = new LinkedHashMap<>(16, 0.75f, true);
  private long writes;

  PresenceCopy(int limit) {
    this.limit = limit;
  }

  synchronized long mark() {
    return writes;
  }

  /** The primary holds {@code value} for the user (or nothing, if empty). */
  synchronized void user(String userId, Optional<byte[]> value, long now) {
    writes++;
    if (value.isPresent()) {
      if (limit > 0) {
        users.put(userId, new Seen(value.get(), now));
      }
    } else {
      users.remove(userId);
    }
    trim();
  }

  /** The primary holds exactly {@code all}, as read by one {@code getAll} started at {@code mark}. */
  synchronized void snapshot(Map<String, byte[]> all, long mark, long now) {
    if (writes != mark || limit == 0) {
      return;
    }
    users.clear();
    for (Map.Entry<String, byte[]> e : all.entrySet()) {
      users.put(e.getKey(), new Seen(e.getValue(), now));
    }
    trim();
  }

  synchronized Optional<byte[]> base(String userId) {
    Seen s = users.get(userId);
    return s == null ? Optional.empty() : Optional.of(s.value());
  }

  /** The presences seen at or after {@code since}, to seed the fallback. */
  synchronized Map<String, byte[]> seenSince(long since) {
    Map<String, byte[]> out = new HashMap<>();
    for (Map.Entry<String, Seen> e : users.entrySet()) {
      if (e.getValue().at() >= since) {
        out.put(e.getKey(), e.getValue().value());
      }
    }
    return out;
  }

  private void trim() {
    Iterator<Seen> it = users.values().iterator();
    while (users.size() > limit && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
