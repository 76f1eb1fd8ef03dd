package io.canvasstate.failover;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasListener;
import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.ResyncReason;
import io.canvasstate.Subscription;
import io.canvasstate.internal.Values;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link CanvasStore} that keeps serving while its primary is down: the typed face of a
 * {@link FailoverStore}, obtained from {@link FailoverStore#canvas(Codec)}.
 *
 * <p>It encodes values once with its codec and hands the bytes to the failover state, which
 * sends them to the primary or, during an outage, to the fallback and the journal. Calls behave
 * as {@link CanvasStore} specifies in every state; during an outage they answer from the
 * fallback, which starts from the last known state of the projects this instance served, and
 * never throw {@link io.canvasstate.StoreUnavailableException}. See {@link FailoverStore} for
 * what happens to outage changes. Values compare as the primary compares them: equal encodings,
 * or a stored value that re-encodes to the expected one.
 *
 * <p>{@linkplain #subscribe Events} come from the primary, and from the fallback while the store
 * serves from it (this instance's outage changes); when the store switches back to the primary
 * every listener gets a {@link CanvasEvent.Resync} with reason {@link ResyncReason#FAILOVER}.
 * Around a switch an event may be heard twice (an outage change, then its write-back), never
 * without a resync after it. The events carry the primary's instance id, also for fallback
 * changes.
 *
 * <p>{@link #close()} only stops this view; {@link FailoverStore#close()} releases the stores.
 * Thread-safe.
 *
 * @param <T> the type of the canvas objects
 */
public final class FailoverCanvasStore<T> extends FailoverView<T> implements CanvasStore<T> {
  private final CanvasSide side;
  private final EventRelay<CanvasEvent<byte[]>, CanvasEvent<T>> events;

  FailoverCanvasStore(FailoverStore failover, CanvasSide side, Codec<T> codec, KeySchema keys) {
    super(failover, codec, keys);
    this.side = side;
    this.events = new EventRelay<>("canvas events of " + side.primary.instanceId(), failover,
        (projectId, l) -> side.primary.subscribe(projectId, l::accept),
        (projectId, l) -> side.fallback.subscribe(projectId, l::accept), this::typed,
        projectId -> new CanvasEvent.Resync<>(projectId, ResyncReason.FAILOVER), this::learn);
  }

  /**
   * Records in the local copy what a change event of the primary says, so that an instance that
   * only hears of objects (a server forwarding events to its clients) still has them, with
   * their bases, when the primary fails. This instance's own events are left out: its calls
   * record what they did.
   */
  private void learn(CanvasEvent<byte[]> e) {
    if (e.isFrom(instanceId())) {
      return;
    }
    long now = failover.millis();
    if (e instanceof CanvasEvent.Put<byte[]> put) {
      side.copy.heard(put.projectId(), put.objectId(), Optional.of(put.value()), now);
    } else if (e instanceof CanvasEvent.Removed<byte[]> removed) {
      side.copy.heard(removed.projectId(), removed.objectId(), Optional.empty(), now);
    } else if (e instanceof CanvasEvent.Cleared<byte[]> cleared) {
      side.copy.heardCleared(cleared.projectId(), now);
    }
  }

  @Override
  public Subscription subscribe(String projectId, CanvasListener<T> listener) {
    Values.id("projectId", projectId);
    requireNonNull(listener, "listener");
    requireOpen();
    failover.requireOpen();
    return events.subscribe(projectId, listener::onEvent);
  }

  /** The primary's instance id; events from the fallback carry it too. */
  @Override
  public String instanceId() {
    return side.primary.instanceId();
  }

  /**
   * An event of the byte stores as this view's, decoded; an outage change of the fallback is
   * stamped with the primary's instance id, as if the primary had made it.
   */
  private CanvasEvent<T> typed(CanvasEvent<byte[]> e, boolean fromFallback) {
    if (e instanceof CanvasEvent.Put<byte[]> put) {
      try {
        return new CanvasEvent.Put<>(put.projectId(), put.objectId(),
            decode(put.projectId(), put.objectId(), put.value()),
            fromFallback ? instanceId() : put.instanceId());
      } catch (CodecException ex) {
        decodeFailures.record(keys.objectsKey(put.projectId()), put.objectId(), ex);
        return new CanvasEvent.Resync<>(put.projectId(), ResyncReason.UNDECODABLE_EVENT);
      }
    } else if (e instanceof CanvasEvent.Removed<byte[]> removed) {
      return new CanvasEvent.Removed<>(removed.projectId(), removed.objectId(),
          fromFallback ? instanceId() : removed.instanceId());
    } else if (e instanceof CanvasEvent.Cleared<byte[]> cleared) {
      return new CanvasEvent.Cleared<>(cleared.projectId(),
          fromFallback ? instanceId() : cleared.instanceId());
    }
    CanvasEvent.Resync<byte[]> resync = (CanvasEvent.Resync<byte[]>) e;
    return new CanvasEvent.Resync<>(resync.projectId(), resync.reason());
  }

  @Override
  public Optional<T> get(String projectId, String objectId) {
    check(projectId, objectId);
    Optional<byte[]> raw = failover.call(false, true, () -> {
      long mark = side.copy.mark();
      Optional<byte[]> r = side.primary.get(projectId, objectId);
      seen(projectId, objectId, r, mark);
      return r;
    }, outage -> side.fallback.get(projectId, objectId));
    return raw.map(b -> decode(projectId, objectId, b));
  }

  @Override
  public void put(String projectId, String objectId, T object) {
    check(projectId, objectId);
    byte[] value = encode(objectId, object);
    failover.call(true, true, () -> {
      long mark = side.copy.mark();
      side.primary.put(projectId, objectId, value);
      wrote(projectId, objectId, Optional.of(value), mark);
      return null;
    }, outage -> {
      side.fallback.put(projectId, objectId, value);
      journal(outage, projectId, objectId, Optional.of(value));
      return null;
    });
  }

  @Override
  public void putAll(String projectId, Map<String, ? extends T> objects) {
    requireNonNull(objects, "objects");
    Values.id("projectId", projectId);
    Map<String, byte[]> values = new LinkedHashMap<>(objects.size() * 2);
    for (Map.Entry<String, ? extends T> e : objects.entrySet()) {
      Values.id("objectId", e.getKey());
      values.put(e.getKey(), encode(e.getKey(), e.getValue()));
    }
    if (values.isEmpty()) {
      return;
    }
    failover.call(true, true, () -> {
      long mark = side.copy.mark();
      side.primary.putAll(projectId, values);
      values.forEach((id, v) -> wrote(projectId, id, Optional.of(v), mark));
      return null;
    }, outage -> {
      side.fallback.putAll(projectId, values);
      values.forEach((id, v) -> journal(outage, projectId, id, Optional.of(v)));
      return null;
    });
  }

  @Override
  public boolean remove(String projectId, String objectId) {
    check(projectId, objectId);
    return failover.call(true, false, () -> {
      long mark = side.copy.mark();
      boolean r = side.primary.remove(projectId, objectId);
      wrote(projectId, objectId, Optional.empty(), mark);
      return r;
    }, outage -> {
      boolean r = side.fallback.remove(projectId, objectId);
      if (r) {
        journal(outage, projectId, objectId, Optional.empty());
      } else {
        blindDelete(outage, projectId, objectId);
      }
      return r;
    });
  }

  @Override
  public Map<String, T> getAll(String projectId) {
    Values.id("projectId", projectId);
    requireOpen();
    Map<String, byte[]> raw = failover.call(false, true, () -> {
      long mark = side.copy.mark();
      Map<String, byte[]> r = side.primary.getAll(projectId);
      side.copy.snapshot(projectId, r, mark, failover.millis());
      return r;
    }, outage -> side.fallback.getAll(projectId));
    return decodeFailures.decodeAll(codec, keys.objectsKey(projectId), raw);
  }

  @Override
  public Set<String> ids(String projectId) {
    Values.id("projectId", projectId);
    requireOpen();
    return failover.call(false, true, () -> side.primary.ids(projectId),
        outage -> side.fallback.ids(projectId));
  }

  @Override
  public int count(String projectId) {
    Values.id("projectId", projectId);
    requireOpen();
    return failover.call(false, true, () -> side.primary.count(projectId),
        outage -> side.fallback.count(projectId));
  }

  /**
   * {@inheritDoc}
   *
   * <p>During an outage the fallback clears the project; on write-back every object this
   * instance knew of is deleted by the conflict rule, and an object in the primary it never saw
   * is kept and reported as a conflict.
   */
  @Override
  public void clear(String projectId) {
    Values.id("projectId", projectId);
    requireOpen();
    failover.call(true, true, () -> {
      long mark = side.copy.mark();
      side.primary.clear(projectId);
      side.copy.cleared(projectId, mark, failover.millis());
      if (failover.state() != FailoverState.HEALTHY) {
        for (String id : side.fallback.ids(projectId)) {
          failover.primaryWroteDuringSwitch(ChangeKey.canvas(projectId, id), Optional.empty(),
              () -> side.fallback.remove(projectId, id));
        }
        for (String id : failover.journaledIds(projectId)) {
          failover.primaryWroteDuringSwitch(ChangeKey.canvas(projectId, id), Optional.empty(),
              () -> { });
        }
      }
      return null;
    }, outage -> {
      Set<String> ids = new LinkedHashSet<>(side.fallback.ids(projectId));
      ids.addAll(failover.journaledIds(projectId));
      side.fallback.clear(projectId);
      outage.journal(ChangeKey.canvas(projectId, Journal.CLEAR_MARKER), Optional.empty(),
          () -> List.of(Optional.empty()));
      for (String id : ids) {
        journal(outage, projectId, id, Optional.empty());
      }
      return null;
    });
  }

  @Override
  public Set<String> activeProjects() {
    requireOpen();
    return failover.call(false, true, side.primary::activeProjects,
        outage -> side.fallback.activeProjects());
  }

  @Override
  public Optional<T> putIfAbsent(String projectId, String objectId, T object) {
    check(projectId, objectId);
    byte[] value = encode(objectId, object);
    Optional<byte[]> there = failover.call(true, false, () -> {
      long mark = side.copy.mark();
      Optional<byte[]> r = side.primary.putIfAbsent(projectId, objectId, value);
      if (r.isEmpty()) {
        wrote(projectId, objectId, Optional.of(value), mark);
      } else {
        seen(projectId, objectId, r, mark);
      }
      return r;
    }, outage -> {
      Optional<byte[]> r = side.fallback.putIfAbsent(projectId, objectId, value);
      if (r.isEmpty()) {
        journal(outage, projectId, objectId, Optional.of(value));
      }
      return r;
    });
    return there.map(b -> decode(projectId, objectId, b));
  }

  @Override
  public Optional<T> getAndPut(String projectId, String objectId, T object) {
    check(projectId, objectId);
    byte[] value = encode(objectId, object);
    Optional<byte[]> previous = failover.call(true, false, () -> {
      long mark = side.copy.mark();
      Optional<byte[]> r = side.primary.getAndPut(projectId, objectId, value);
      wrote(projectId, objectId, Optional.of(value), mark);
      return r;
    }, outage -> {
      Optional<byte[]> r = side.fallback.getAndPut(projectId, objectId, value);
      journal(outage, projectId, objectId, Optional.of(value));
      return r;
    });
    return previous.map(b -> decode(projectId, objectId, b));
  }

  @Override
  public Optional<T> getAndRemove(String projectId, String objectId) {
    check(projectId, objectId);
    Optional<byte[]> previous = failover.call(true, false, () -> {
      long mark = side.copy.mark();
      Optional<byte[]> r = side.primary.getAndRemove(projectId, objectId);
      wrote(projectId, objectId, Optional.empty(), mark);
      return r;
    }, outage -> {
      Optional<byte[]> r = side.fallback.getAndRemove(projectId, objectId);
      if (r.isPresent()) {
        journal(outage, projectId, objectId, Optional.empty());
      } else {
        blindDelete(outage, projectId, objectId);
      }
      return r;
    });
    return previous.map(b -> decode(projectId, objectId, b));
  }

  @Override
  public Optional<T> replace(String projectId, String objectId, T object) {
    check(projectId, objectId);
    byte[] value = encode(objectId, object);
    Optional<byte[]> previous = failover.call(true, false, () -> {
      long mark = side.copy.mark();
      Optional<byte[]> r = side.primary.replace(projectId, objectId, value);
      if (r.isPresent()) {
        wrote(projectId, objectId, Optional.of(value), mark);
      } else {
        seen(projectId, objectId, r, mark);
      }
      return r;
    }, outage -> {
      Optional<byte[]> r = side.fallback.replace(projectId, objectId, value);
      if (r.isPresent()) {
        journal(outage, projectId, objectId, Optional.of(value));
      }
      return r;
    });
    return previous.map(b -> decode(projectId, objectId, b));
  }

  @Override
  public boolean replace(String projectId, String objectId, T expected, T replacement) {
    check(projectId, objectId);
    byte[] was = encode(objectId, expected);
    byte[] value = encode(objectId, replacement);
    return compareAnd(projectId, objectId, was, Optional.of(value));
  }

  @Override
  public boolean remove(String projectId, String objectId, T expected) {
    check(projectId, objectId);
    byte[] was = encode(objectId, expected);
    return compareAnd(projectId, objectId, was, Optional.empty());
  }

  private boolean compareAnd(
      String projectId, String objectId, byte[] expected, Optional<byte[]> target) {
    return failover.call(true, false, () -> {
      long mark = side.copy.mark();
      boolean r = compareAndSet(side.primary, projectId, objectId, expected, target);
      if (r) {
        wrote(projectId, objectId, target, mark);
      }
      return r;
    }, outage -> {
      boolean r = compareAndSet(side.fallback, projectId, objectId, expected, target);
      if (r) {
        journal(outage, projectId, objectId, target);
      }
      return r;
    });
  }

  /**
   * Sets an object from {@code expected} to {@code target} (empty: removes it), where a stored
   * value counts as {@code expected} if it re-encodes to it with this store's codec (written by
   * another client with other spacing, say): the byte stores compare bytes only, so such a value
   * is matched here and then swapped by its exact bytes.
   */
  private boolean compareAndSet(CanvasStore<byte[]> store, String projectId, String objectId,
      byte[] expected, Optional<byte[]> target) {
    byte[] exact = expected;
    for (int attempt = 0; attempt < CanvasSide.MAX_CAS_ATTEMPTS; attempt++) {
      boolean done = target.isPresent()
          ? store.replace(projectId, objectId, exact, target.get())
          : store.remove(projectId, objectId, exact);
      if (done) {
        return true;
      }
      Optional<byte[]> there = store.get(projectId, objectId);
      if (there.isEmpty()) {
        return false;
      }
      if (!Arrays.equals(there.get(), exact)) {
        if (!Values.sameValue(codec, there.get(), expected)) {
          return false;
        }
        exact = there.get();
      }
    }
    return false;
  }

  /** Closes this view only, ending its subscriptions; see {@link FailoverStore#close()}. */
  @Override
  public void close() {
    super.close();
    events.close();
  }

  // ---- helpers ----

  private void check(String projectId, String objectId) {
    Values.id("projectId", projectId);
    Values.id("objectId", objectId);
    requireOpen();
  }

  private byte[] encode(String objectId, T object) {
    requireNonNull(object, "object");
    return Values.encode(codec, objectId, object, Integer.MAX_VALUE);
  }

  private T decode(String projectId, String objectId, byte[] bytes) {
    return Values.decode(codec, keys.objectsKey(projectId), objectId, bytes);
  }

  /** A call that started at {@code mark} saw the primary hold {@code value}. */
  private void seen(String projectId, String objectId, Optional<byte[]> value, long mark) {
    side.copy.object(projectId, objectId, value, mark, failover.millis());
  }

  /** A call that started at {@code mark} left the primary holding {@code value}. */
  private void wrote(String projectId, String objectId, Optional<byte[]> value, long mark) {
    side.copy.object(projectId, objectId, value, mark, failover.millis());
    if (failover.state() != FailoverState.HEALTHY) {
      failover.primaryWroteDuringSwitch(ChangeKey.canvas(projectId, objectId), value, () -> {
        if (value.isPresent()) {
          side.fallback.put(projectId, objectId, value.get());
        } else {
          side.fallback.remove(projectId, objectId);
        }
      });
    }
  }

  /**
   * Journals the delete of an object missing from the fallback if this instance knows nothing
   * of it (it never read, wrote or heard of it, or forgot it): the object may well be in the
   * primary, so the delete is written back under the blind-delete rule. An object this instance
   * knows to be missing, or already changed during the outage, needs nothing.
   */
  private void blindDelete(FailoverStore.Outage outage, String projectId, String objectId) {
    ChangeKey key = ChangeKey.canvas(projectId, objectId);
    if (!failover.journaled(key) && !side.copy.knows(projectId, objectId)) {
      outage.journal(key, Optional.empty(), () -> List.of(Optional.empty()), true);
    }
  }

  private void journal(
      FailoverStore.Outage outage, String projectId, String objectId, Optional<byte[]> value) {
    outage.journal(ChangeKey.canvas(projectId, objectId), value,
        () -> side.copy.bases(projectId, objectId));
  }
}
