package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
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
 * <p>{@link #close()} only stops this view; {@link FailoverStore#close()} releases the stores.
 * Thread-safe.
 *
 * @param <P> the type of a user's presence
 */
public final class FailoverPresenceStore<P> extends FailoverView<P> implements PresenceStore<P> {
  private final PresenceSide side;

  FailoverPresenceStore(FailoverStore failover, PresenceSide side, Codec<P> codec, KeySchema keys) {
    super(failover, codec, keys);
    this.side = side;
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
