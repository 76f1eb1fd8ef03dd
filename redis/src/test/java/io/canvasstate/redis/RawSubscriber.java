package io.canvasstate.redis;

import static org.awaitility.Awaitility.await;

import io.canvasstate.contract.EventRecorder;
import io.canvasstate.redis.testing.RedisServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/** A plain Jedis subscriber on one channel, as another Redis client would be; for tests. */
final class RawSubscriber extends JedisPubSub implements AutoCloseable {
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final Thread thread;

  private RawSubscriber(RedisServer redis, String channel) {
    thread = new Thread(() -> {
      try (Jedis jedis = redis.connect()) {
        jedis.subscribe(this, channel);
      }
    }, "raw-subscriber");
    thread.setDaemon(true);
    thread.start();
  }

  /** Subscribes and waits until the subscription is in place. */
  static RawSubscriber on(RedisServer redis, String channel) {
    RawSubscriber s = new RawSubscriber(redis, channel);
    await().atMost(EventRecorder.TIMEOUT).until(s::isSubscribed);
    return s;
  }

  @Override
  public void onMessage(String channel, String message) {
    messages.add(message);
  }

  /** Waits until {@code n} messages arrived and returns them all. */
  List<String> awaitCount(int n) {
    await().atMost(EventRecorder.TIMEOUT).until(() -> messages.size() >= n);
    return List.copyOf(messages);
  }

  @Override
  public void close() {
    if (isSubscribed()) {
      unsubscribe();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
