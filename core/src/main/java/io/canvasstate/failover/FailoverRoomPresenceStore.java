package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.ResyncReason;
import io.canvasstate.RoomConnection;
import io.canvasstate.RoomEvent;
import io.canvasstate.RoomListener;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.Subscription;
import io.canvasstate.internal.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link RoomPresenceStore} that keeps serving while its primary is down: a typed view of a
 * {@link FailoverStore} over a pair of room stores of its own, obtained from
 * {@link FailoverStore#rooms}.
 *
 * <p>While healthy every call goes to the primary, and the store remembers the connections this
 * instance heartbeats. When the primary fails, the fallback is seeded with those connections
 * (not other instances': whether they are alive cannot be known during an outage), calls are
 * answered from it, and heartbeats and leaves are recorded. When the primary is back they are
 * written back before the switch, as the canvas changes are: a connection heartbeated during the
 * outage is heartbeated to the primary unless it has ended meanwhile, one that left is removed.
 * Connections have one owner, so there are no conflicts.
 *
 * <p>{@linkplain #subscribe Events} follow the rules of {@link FailoverCanvasStore}: the
 * primary's always, the fallback's while serving from it, and a {@link RoomEvent.Resync} with
 * reason {@link ResyncReason#FAILOVER} in every watched room when the store switches back.
 *
 * <p>{@link #close()} ends this view and closes its pair of stores (ending its lease).
 * Thread-safe.
 *
 * @param <P> the type of a connection's value
 */
public final class FailoverRoomPresenceStore<P> extends FailoverView<P>
    implements RoomPresenceStore<P> {
  private final RoomSide side;
  private final EventRelay<RoomEvent<byte[]>, RoomEvent<P>> events;

  FailoverRoomPresenceStore(FailoverStore failover, RoomSide side, Codec<P> codec,
      KeySchema keys) {
    super(failover, codec, keys);
    this.side = side;
    this.events = new EventRelay<>("room events of " + side.primary.instanceId(), failover,
        (room, l) -> side.primary.subscribe(room, l::accept),
        (room, l) -> side.fallback.subscribe(room, l::accept),
        this::typed, room -> new RoomEvent.Resync<>(room, ResyncReason.FAILOVER), e -> { });
  }

  @Override
  public void heartbeat(String roomId, String userId, String connectionId, P value) {
    ids(roomId, userId, connectionId);
    requireNonNull(value, "value");
    byte[] bytes = Values.encode(codec, connectionId, value, Integer.MAX_VALUE);
    RoomSide.Connection c = new RoomSide.Connection(roomId, userId, connectionId);
    failover.call(true, true, () -> {
      side.primary.heartbeat(roomId, userId, connectionId, bytes);
      side.beat(c, bytes, failover.millis(), false);
      return null;
    }, outage -> {
      side.fallback.heartbeat(roomId, userId, connectionId, bytes);
      side.beat(c, bytes, failover.millis(), true);
      return null;
    });
  }

  @Override
  public boolean leave(String roomId, String userId, String connectionId) {
    ids(roomId, userId, connectionId);
    RoomSide.Connection c = new RoomSide.Connection(roomId, userId, connectionId);
    return failover.call(true, true, () -> {
      boolean r = side.primary.leave(roomId, userId, connectionId);
      side.left(c, false);
      return r;
    }, outage -> {
      boolean r = side.fallback.leave(roomId, userId, connectionId);
      side.left(c, true);
      return r;
    });
  }

  @Override
  public Map<String, P> get(String roomId, String userId) {
    Values.id("roomId", roomId);
    Values.id("userId", userId);
    requireOpen();
    Map<String, byte[]> raw = failover.call(false, true,
        () -> side.primary.get(roomId, userId), outage -> side.fallback.get(roomId, userId));
    Map<String, P> out = new LinkedHashMap<>();
    raw.forEach((c, bytes) -> out.put(c, Values.decode(codec, key(roomId), c, bytes)));
    return Collections.unmodifiableMap(out);
  }

  @Override
  public List<RoomConnection<P>> list(String roomId) {
    Values.id("roomId", roomId);
    requireOpen();
    List<RoomConnection<byte[]>> raw = failover.call(false, true,
        () -> side.primary.list(roomId), outage -> side.fallback.list(roomId));
    List<RoomConnection<P>> out = new ArrayList<>(raw.size());
    for (RoomConnection<byte[]> c : raw) {
      String field = c.userId() + ":" + c.connectionId();
      try {
        out.add(new RoomConnection<>(c.userId(), c.connectionId(),
            Values.decode(codec, key(roomId), field, c.value())));
      } catch (CodecException e) {
        decodeFailures.record(key(roomId), field, e);
      }
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public int count(String roomId) {
    Values.id("roomId", roomId);
    requireOpen();
    return failover.call(false, true, () -> side.primary.count(roomId),
        outage -> side.fallback.count(roomId));
  }

  @Override
  public Subscription subscribe(String roomId, RoomListener<P> listener) {
    Values.id("roomId", roomId);
    requireNonNull(listener, "listener");
    requireOpen();
    failover.requireOpen();
    return events.subscribe(roomId, listener::onEvent);
  }

  /** The primary's instance id; events from the fallback carry it too. */
  @Override
  public String instanceId() {
    return side.primary.instanceId();
  }

  @Override
  public Duration lease() {
    return side.primary.lease();
  }

  /** Ends this view's subscriptions and closes its pair of stores (ending the lease). */
  @Override
  public void close() {
    super.close();
    events.close();
    failover.forgetRooms(side);
  }

  private String key(String roomId) {
    return keys.roomKey(roomId, "connections");
  }

  private void ids(String roomId, String userId, String connectionId) {
    Values.connectionIds(roomId, userId, connectionId);
    requireOpen();
  }

  /** An event of the byte stores as this view's; a fallback change carries the primary's id. */
  private RoomEvent<P> typed(RoomEvent<byte[]> e, boolean fromFallback) {
    if (e instanceof RoomEvent.Resync<byte[]> r) {
      return new RoomEvent.Resync<>(r.roomId(), r.reason());
    }
    RoomEvent.Change<byte[]> change = (RoomEvent.Change<byte[]>) e;
    String by = fromFallback ? instanceId() : change.instanceId();
    try {
      if (e instanceof RoomEvent.Joined<byte[]> j) {
        return new RoomEvent.Joined<>(j.roomId(), j.userId(), j.connectionId(),
            decode(j.roomId(), j.userId(), j.connectionId(), j.value()), j.userJoined(), by);
      } else if (e instanceof RoomEvent.Updated<byte[]> u) {
        return new RoomEvent.Updated<>(u.roomId(), u.userId(), u.connectionId(),
            decode(u.roomId(), u.userId(), u.connectionId(), u.value()), by);
      }
    } catch (CodecException ex) {
      return new RoomEvent.Resync<>(e.roomId(), ResyncReason.UNDECODABLE_EVENT);
    }
    RoomEvent.Left<byte[]> l = (RoomEvent.Left<byte[]>) e;
    return new RoomEvent.Left<>(l.roomId(), l.userId(), l.connectionId(), l.reason(),
        l.userLeft(), by);
  }

  private P decode(String roomId, String userId, String connectionId, byte[] bytes) {
    String field = userId + ":" + connectionId;
    try {
      return Values.decode(codec, key(roomId), field, bytes);
    } catch (CodecException e) {
      decodeFailures.record(key(roomId), field, e);
      throw e;
    }
  }
}
