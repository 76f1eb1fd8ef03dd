package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceEvent;
import io.canvasstate.PresenceListener;
import io.canvasstate.PresenceStore;
import io.canvasstate.ResyncReason;
import io.canvasstate.Subscription;
import io.canvasstate.internal.Values;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link PresenceStore} that keeps serving while its primary is down: the typed face of a
 * {@link FailoverStore}, obtained from {@link FailoverStore#presence(Codec)}.
 *
 * <p>It follows the canvas rules (see {@link FailoverStore}), with two differences that come
 * from presence being kept alive by heartbeats: a presence written during the outage is written
 * back only if it has not expired meanwhile, and a presence missing from the primary (expired
 * there) is no conflict. Written back, a presence gets a whole new lifetime from the moment of
 * the write-back.
 *
 * <p>{@linkplain #subscribe Events} follow the canvas rules of {@link FailoverCanvasStore}:
 * the primary's always, the fallback's while serving from it (including expiries it notices),
 * and a {@link PresenceEvent.Resync} with reason {@link ResyncReason#FAILOVER} when the store
 * switches back.
 *
 * <p>{@link #close()} only stops this view; {@link FailoverStore#close()} releases the stores.
 * Thread-safe.
 *
 * @param <P> the type of a user's presence
 */
public final class FailoverPresenceStore<P> extends FailoverView<P> implements PresenceStore<P> {
  private final PresenceSide side;
  private final EventRelay<PresenceEvent<byte[]>, PresenceEvent<P>> events;

  FailoverPresenceStore(FailoverStore failover, PresenceSide side, Codec<P> codec, KeySchema keys) {
    super(failover, codec, keys);
    this.side = side;
    this.events = new EventRelay<>("presence events of " + side.primary.instanceId(), failover,
        (key, l) -> side.primary.subscribe(l::accept), (key, l) -> side.fallback.subscribe(l::accept),
        this::typed, key -> new PresenceEvent.Resync<>(ResyncReason.FAILOVER), e -> { });
  }

  @Override
  public Subscription subscribe(PresenceListener<P> listener) {
    requireNonNull(listener, "listener");
    requireOpen();
    failover.requireOpen();
    return events.subscribe("", listener::onEvent);
  }

  /** The primary's instance id; events from the fallback carry it too. */
  @Override
  public String instanceId() {
    return side.primary.instanceId();
  }

  /**
   * An event of the byte stores as this view's, decoded; a change of the fallback is stamped
   * with the primary's instance id.
   */
  private PresenceEvent<P> typed(PresenceEvent<byte[]> e, boolean fromFallback) {
    try {
      if (e instanceof PresenceEvent.Joined<byte[]> joined) {
        return new PresenceEvent.Joined<>(joined.userId(), decode(joined.userId(), joined.presence()),
            fromFallback ? instanceId() : joined.instanceId());
      } else if (e instanceof PresenceEvent.Updated<byte[]> updated) {
        return new PresenceEvent.Updated<>(updated.userId(),
            decode(updated.userId(), updated.presence()),
            fromFallback ? instanceId() : updated.instanceId());
      }
    } catch (CodecException ex) {
      return new PresenceEvent.Resync<>(ResyncReason.UNDECODABLE_EVENT);
    }
    if (e instanceof PresenceEvent.Left<byte[]> left) {
      return new PresenceEvent.Left<>(left.userId(), left.reason(),
          fromFallback ? instanceId() : left.instanceId());
    }
    return new PresenceEvent.Resync<>(((PresenceEvent.Resync<byte[]>) e).reason());
  }

  private P decode(String userId, byte[] bytes) {
    try {
      return Values.decode(codec, keys.presenceKey(), userId, bytes);
    } catch (CodecException e) {
      decodeFailures.record(keys.presenceKey(), userId, e);
      throw e;
    }
  }

  @Override
  public void put(String userId, P presence) {
    check(userId);
    requireNonNull(presence, "presence");
    byte[] value = Values.encode(codec, userId, presence, Integer.MAX_VALUE);
    failover.call(true, true, () -> {
      long mark = side.copy.mark();
      side.primary.put(userId, value);
      wrote(userId, Optional.of(value), mark);
      return null;
    }, outage -> {
      side.fallback.put(userId, value);
      journal(outage, userId, Optional.of(value));
      return null;
    });
  }

  @Override
  public Optional<P> get(String userId) {
    check(userId);
    Optional<byte[]> raw = failover.call(false, true, () -> {
      long mark = side.copy.mark();
      Optional<byte[]> r = side.primary.get(userId);
      side.copy.user(userId, r, mark, failover.millis());
      return r;
    }, outage -> side.fallback.get(userId));
    return raw.map(b -> Values.decode(codec, keys.presenceKey(), userId, b));
  }

  @Override
  public boolean remove(String userId) {
    check(userId);
    return failover.call(true, false, () -> {
      long mark = side.copy.mark();
      boolean r = side.primary.remove(userId);
      wrote(userId, Optional.empty(), mark);
      return r;
    }, outage -> {
      boolean r = side.fallback.remove(userId);
      if (r) {
        journal(outage, userId, Optional.empty());
      }
      return r;
    });
  }

  @Override
  public Map<String, P> getAll() {
    requireOpen();
    Map<String, byte[]> raw = failover.call(false, true, () -> {
      long mark = side.copy.mark();
      Map<String, byte[]> r = side.primary.getAll();
      side.copy.snapshot(r, mark, failover.millis());
      return r;
    }, outage -> side.fallback.getAll());
    return decodeFailures.decodeAll(codec, keys.presenceKey(), raw);
  }

  @Override
  public Set<String> activeUsers() {
    requireOpen();
    return failover.call(false, true, side.primary::activeUsers,
        outage -> side.fallback.activeUsers());
  }

  /** Closes this view only, ending its subscriptions; see {@link FailoverStore#close()}. */
  @Override
  public void close() {
    super.close();
    events.close();
  }

  private void check(String userId) {
    Values.id("userId", userId);
    requireOpen();
  }

  private void wrote(String userId, Optional<byte[]> value, long mark) {
    side.copy.user(userId, value, mark, failover.millis());
    if (failover.state() != FailoverState.HEALTHY) {
      failover.primaryWroteDuringSwitch(ChangeKey.presence(userId), value, () -> {
        if (value.isPresent()) {
          side.fallback.put(userId, value.get());
        } else {
          side.fallback.remove(userId);
        }
      });
    }
  }

  private void journal(FailoverStore.Outage outage, String userId, Optional<byte[]> value) {
    outage.journal(ChangeKey.presence(userId), value, () -> side.copy.bases(userId));
  }
}
