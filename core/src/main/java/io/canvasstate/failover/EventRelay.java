package io.canvasstate.failover;

import io.canvasstate.ResyncReason;
import io.canvasstate.Subscription;
import io.canvasstate.internal.EventHub;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change events of a failover store's typed view: relays its primary's events and, while
 * the store serves from the fallback, the fallback's, converted to the view's type; and tells
 * every listener to resync when the store switches back to the primary.
 *
 * <p>Rules. Events from the primary are always relayed: they are what every instance sees.
 * Events from the fallback are relayed only in {@link FailoverState#FAILED_OVER} and not while
 * the store is switching, so that seeding the fallback at a failover and emptying it after a
 * recovery (which are not changes) stay silent, and outage changes are heard once, from the fallback, when they are made (their
 * write-back to the primary is heard again from the primary, before the resync). When the store
 * switches back ({@code RECOVERING -> HEALTHY}) every listener gets a resync with reason
 * {@link ResyncReason#FAILOVER}: changes other instances made during the outage were not seen.
 *
 * <p>Fallback events are raised inside the failover store's locks: they are queued there and
 * delivered once the call that made them has released its locks, so listeners are never called
 * holding them. Thread-safe.
 *
 * @param <B> the stores' event type (on encoded values)
 * @param <E> the view's event type
 */
final class EventRelay<B, E> implements FailoverListener {
  private static final Logger LOG = LoggerFactory.getLogger(EventRelay.class);

  /** Subscribes to one of the underlying stores. */
  @FunctionalInterface
  interface Source<B> {
    Subscription subscribe(String key, Consumer<B> listener);
  }

  private final FailoverStore failover;
  private final Source<B> primary;
  private final Source<B> fallback;
  private final BiFunction<B, Boolean, E> convert;
  private final Function<String, E> resync;
  private final Consumer<B> learn;
  private final EventHub<String, E> hub;
  /** Both underlying subscriptions of each key with listeners; changed under the hub's lock. */
  private final Map<String, Subscription[]> underlying = new ConcurrentHashMap<>();
  private final Runnable drain;
  private boolean watching; // guarded by the hub's lock

  /**
   * @param convert turns an underlying event into the view's; its flag says whether the event
   *     came from the fallback
   * @param resync makes the resync event for a key
   * @param learn hears every event of the primary first (to keep the local copy current)
   */
  EventRelay(String name, FailoverStore failover, Source<B> primary, Source<B> fallback,
      BiFunction<B, Boolean, E> convert, Function<String, E> resync, Consumer<B> learn) {
    this.failover = failover;
    this.learn = learn;
    this.primary = primary;
    this.fallback = fallback;
    this.convert = convert;
    this.resync = resync;
    this.hub = new EventHub<>(name, new EventHub.KeyWatcher<>() {
      @Override
      public void firstListener(String key) {
        watch();
        Subscription fromPrimary = EventRelay.this.primary.subscribe(key, e -> relay(key, e, false));
        Subscription fromFallback = EventRelay.this.fallback.subscribe(key, e -> relay(key, e, true));
        underlying.put(key, new Subscription[] {fromPrimary, fromFallback});
      }

      @Override
      public void lastListenerGone(String key) {
        Subscription[] s = underlying.remove(key);
        if (s != null) {
          closeAll(s);
        }
      }
    });
    this.drain = hub::drain;
  }

  /** Registers a listener of the view for a key. */
  Subscription subscribe(String key, Consumer<E> listener) {
    return hub.subscribe(key, listener);
  }

  /** Ends every subscription of the view and its underlying subscriptions. Idempotent. */
  void close() {
    hub.close();
    underlying.values().forEach(EventRelay::closeAll);
    underlying.clear();
    failover.removeListener(this);
    failover.stopRunningAfterOutageCalls(drain);
  }

  /** Starts hearing the store's transitions and outage calls; once, under the hub's lock. */
  private void watch() {
    if (!watching) {
      watching = true;
      failover.addListener(this);
      failover.runAfterOutageCalls(drain);
    }
  }

  private void relay(String key, B event, boolean fromFallback) {
    if (!fromFallback) {
      try {
        learn.accept(event);
      } catch (RuntimeException e) {
        LOG.debug("Recording an event of the primary in the local copy failed", e);
      }
    }
    if (fromFallback
        && (failover.state() != FailoverState.FAILED_OVER || failover.switchingOnThisThread())) {
      return;
    }
    hub.enqueue(key, convert.apply(event, fromFallback));
    if (!failover.inOutageCall()) {
      hub.drain();
    }
  }

  @Override
  public void onTransition(TransitionEvent event) {
    if (event.from() == FailoverState.RECOVERING && event.to() == FailoverState.HEALTHY) {
      hub.publishToEach(resync);
    }
  }

  private static void closeAll(Subscription[] subscriptions) {
    for (Subscription s : subscriptions) {
      try {
        s.close();
      } catch (RuntimeException e) {
        LOG.debug("Closing an underlying subscription failed", e);
      }
    }
  }
}
