package io.canvasstate.failover;

import io.canvasstate.RoomPresenceStore;
import io.canvasstate.StoreUnavailableException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room half of one {@link FailoverRoomPresenceStore}: its primary and fallback stores (on
 * encoded values), the connections this instance serves (to seed the fallback at a failover),
 * and the changes made to them during an outage (to write back). Thread-safe.
 *
 * <p>Only this instance's own connections are seeded and written back: during an outage no
 * instance can learn whether another one is alive, so other instances' connections are not
 * shown from memory. Connections have one owner, so a write-back never conflicts: a connection
 * heartbeated during the outage is heartbeated to the primary (with a new lifetime, if it has
 * not ended meanwhile), one that left is removed there.
 */
final class RoomSide {
  private static final Logger LOG = LoggerFactory.getLogger(RoomSide.class);
  final RoomPresenceStore<byte[]> primary;
  final RoomPresenceStore<byte[]> fallback;
  private final long ttlMillis;
  /** Guarded by {@code this}: this instance's live connections, with their last heartbeat. */
  private final Map<Connection, Beat> own = new LinkedHashMap<>();
  /** Guarded by {@code this}: the outage changes, latest per connection (empty: left). */
  private final Map<Connection, Optional<Beat>> outage = new LinkedHashMap<>();
  private int cleanAt = 1024;

  /** One connection. */
  record Connection(String roomId, String userId, String connectionId) {}

  /** A heartbeat: the value and when (ms, the failover store's clock). */
  record Beat(byte[] value, long at) {}

  RoomSide(RoomPresenceStore<byte[]> primary, RoomPresenceStore<byte[]> fallback,
      long ttlMillis) {
    this.primary = primary;
    this.fallback = fallback;
    this.ttlMillis = ttlMillis;
  }

  /** Notes a heartbeat of this instance, on either store. */
  synchronized void beat(Connection c, byte[] value, long now, boolean duringOutage) {
    own.remove(c);
    own.put(c, new Beat(value, now));
    if (duringOutage) {
      outage.put(c, Optional.of(new Beat(value, now)));
    }
    if (own.size() >= cleanAt) {
      own.values().removeIf(b -> now - b.at() >= ttlMillis);
      cleanAt = Math.max(1024, own.size() * 2);
    }
  }

  /** Notes that a connection left, on either store. */
  synchronized void left(Connection c, boolean duringOutage) {
    own.remove(c);
    if (duringOutage) {
      outage.put(c, Optional.empty());
    }
  }

  /** Fills the empty fallback with this instance's connections that have not ended by now. */
  void seed(long now) {
    List<Map.Entry<Connection, Beat>> live;
    synchronized (this) {
      own.values().removeIf(b -> now - b.at() >= ttlMillis);
      live = new ArrayList<>(own.entrySet());
    }
    for (Map.Entry<Connection, Beat> e : live) {
      Connection c = e.getKey();
      fallback.heartbeat(c.roomId(), c.userId(), c.connectionId(), e.getValue().value());
    }
  }

  /** Empties the fallback of what this side put there. */
  void clearFallback() {
    List<Connection> known;
    synchronized (this) {
      known = new ArrayList<>(own.keySet());
      known.addAll(outage.keySet());
    }
    for (Connection c : known) {
      fallback.leave(c.roomId(), c.userId(), c.connectionId());
    }
  }

  /**
   * Writes the outage changes back to the primary, oldest first; each one written is forgotten,
   * so a failure leaves the rest for the next attempt.
   *
   * @return how many were applied and how many had ended before they could be
   * @throws io.canvasstate.StoreUnavailableException if the primary fails
   */
  int[] writeBack(long now) {
    int applied = 0;
    int expired = 0;
    while (true) {
      Map.Entry<Connection, Optional<Beat>> next;
      synchronized (this) {
        Iterator<Map.Entry<Connection, Optional<Beat>>> it = outage.entrySet().iterator();
        if (!it.hasNext()) {
          return new int[] {applied, expired};
        }
        next = it.next();
      }
      Connection c = next.getKey();
      Optional<Beat> beat = next.getValue();
      try {
        if (beat.isPresent() && now - beat.get().at() >= ttlMillis) {
          expired++;
        } else if (beat.isPresent()) {
          primary.heartbeat(c.roomId(), c.userId(), c.connectionId(), beat.get().value());
          applied++;
        } else {
          primary.leave(c.roomId(), c.userId(), c.connectionId());
          applied++;
        }
      } catch (StoreUnavailableException e) {
        throw e;
      } catch (RuntimeException e) {
        LOG.warn("The primary store rejected the outage change to connection {} of {} in room {};"
            + " it is not written back: {}", c.connectionId(), c.userId(), c.roomId(),
            e.toString());
      }
      synchronized (this) {
        outage.remove(c, beat);
      }
    }
  }

  /** How many outage changes wait to be written back. */
  synchronized int pending() {
    return outage.size();
  }
}
