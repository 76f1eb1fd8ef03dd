package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.PresenceEvent;
import io.canvasstate.PresenceStore;
import io.canvasstate.ResyncReason;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.Subscription;
import io.canvasstate.contract.EventRecorder;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What happens to subscriptions when Redis dies and comes back, on a {@code redis-server} this
 * test owns: the subscription recovers by itself, listeners hear a resync before the events that
 * follow, and closing the stores leaves no thread behind.
 */
class RedisEventsRecoveryTest {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.controllable();

  private static final Duration WAIT = EventRecorder.TIMEOUT;

  @Test
  void killAndRestart_duringSubscription_resyncsThenDeliversAgain_andLeaksNoThread() {
    Set<Long> threadsBefore = liveThreadIds();
    StoreConfig config = redis.configBuilder().build();
    RedisStores observer = RedisStores.create(config);
    RedisStores writerStores = RedisStores.create(config);
    CanvasStore<String> observed = observer.redisCanvas(Codec.string());
    PresenceStore<String> observedPresence = observer.redisPresence(Codec.string());
    CanvasStore<String> writer = writerStores.redisCanvas(Codec.string());
    EventRecorder<CanvasEvent<String>> canvasEvents = new EventRecorder<>();
    EventRecorder<PresenceEvent<String>> presenceEvents = new EventRecorder<>();
    try {
      Subscription subscription = observed.subscribe("p", canvasEvents::add);
      observedPresence.subscribe(presenceEvents::add);
      writer.put("p", "before", "{}");
      canvasEvents.awaitCount(1);
      assertThat(threadNames()).contains("canvasstate-events-" + observer.instanceId());

      redis.kill();
      redis.restart();

      assertThat(canvasEvents.awaitCount(2).get(1))
          .isEqualTo(new CanvasEvent.Resync<>("p", ResyncReason.RECONNECTED));
      assertThat(presenceEvents.awaitMatch(e -> e instanceof PresenceEvent.Resync<String>))
          .contains(new PresenceEvent.Resync<>(ResyncReason.RECONNECTED));
      putUntilRedisAnswers(writer, "p", "after");
      assertThat(canvasEvents.awaitCount(3).get(2))
          .isEqualTo(new CanvasEvent.Put<>("p", "after", "{}", writer.instanceId()));
      assertThat(subscription.isActive()).isTrue();
    } finally {
      observer.close();
      writerStores.close();
    }

    await().atMost(WAIT).untilAsserted(() -> assertThat(newThreads(threadsBefore)).isEmpty());
  }

  @Test
  void subscribe_whileRedisIsDown_returnsAndResyncsOnceRedisIsBack() {
    StoreConfig config = redis.configBuilder()
        .connectTimeout(Duration.ofMillis(300)).timeout(Duration.ofMillis(300)).build();
    RedisStores observer = RedisStores.create(config);
    EventRecorder<CanvasEvent<String>> events = new EventRecorder<>();
    try {
      redis.kill();
      long start = System.nanoTime();

      observer.redisCanvas(Codec.string()).subscribe("p", events::add);

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      redis.restart();
      assertThat(events.awaitCount(1))
          .containsExactly(new CanvasEvent.Resync<>("p", ResyncReason.RECONNECTED));
    } finally {
      observer.close();
      if (!isUp()) {
        redis.restart();
      }
    }
  }

  @Test
  void pausedRedis_isNoticedByThePing_andTheSubscriptionRecovers() {
    StoreConfig config = redis.configBuilder().build();
    RedisStores observer = RedisStores.create(config, Duration.ofMillis(300));
    RedisStores writerStores = RedisStores.create(config);
    EventRecorder<CanvasEvent<String>> events = new EventRecorder<>();
    try {
      observer.redisCanvas(Codec.string()).subscribe("p", events::add);
      assertThat(observer.eventsConnected()).isTrue();

      redis.pause();
      try {
        // The ping interval plus the timeout: the event connection is given up and retried.
        await().atMost(WAIT).until(() -> !observer.eventsConnected());
      } finally {
        redis.resume();
      }

      assertThat(events.awaitCount(1))
          .containsExactly(new CanvasEvent.Resync<>("p", ResyncReason.RECONNECTED));
      CanvasStore<String> writer = writerStores.redisCanvas(Codec.string());
      putUntilRedisAnswers(writer, "p", "after");
      assertThat(events.awaitCount(2).get(1)).isInstanceOf(CanvasEvent.Put.class);
    } finally {
      observer.close();
      writerStores.close();
    }
  }

  private static void putUntilRedisAnswers(CanvasStore<String> store, String project, String id) {
    await().atMost(WAIT).ignoreExceptionsInstanceOf(StoreException.class).until(() -> {
      store.put(project, id, "{}");
      return true;
    });
  }

  private static boolean isUp() {
    try {
      return "PONG".equals(redis.jedis().ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Set<Long> liveThreadIds() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getId).collect(Collectors.toSet());
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
  }

  /** Threads started since {@code before} that still run, other than Awaitility's own. */
  private static List<String> newThreads(Set<Long> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t.getId()))
        .map(Thread::getName)
        .filter(n -> !n.startsWith("awaitility"))
        .toList();
  }
}
