package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.Codec;
import io.canvasstate.PresenceEvent;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.EventRecorder;
import io.canvasstate.contract.PresenceEventsContract;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The presence event contract across two instances on one real Redis, with a short presence
 * lifetime so that expiry is real: nobody reads, the observing store's sweep notices it.
 */
class RedisPresenceEventsTest extends PresenceEventsContract {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private static final Duration TTL = Duration.ofSeconds(2);

  private StoreConfig config;
  private RedisStores observer;
  private RedisStores writerStores;

  @Override
  protected Stores createStores() {
    config = redis.configBuilder().ttl(TtlPolicy.DEFAULT.withPresenceTtl(TTL)).build();
    observer = RedisStores.create(config);
    writerStores = RedisStores.create(config);
    return new Stores(observer.redisPresence(Codec.string()), writerStores.redisPresence(Codec.string()));
  }

  @Override
  protected void closeStores(Stores stores) {
    super.closeStores(stores);
    observer.close();
    writerStores.close();
  }

  @Override
  protected void letPresenceExpire() {
    // Real time: the recorder's generous wait covers the TTL and a sweep.
  }

  @Test
  void expiry_seenByTwoSweepingInstances_isAnnouncedOnce() {
    EventRecorder<PresenceEvent<String>> second = new EventRecorder<>();
    writer.subscribe(second::add); // the writer's instance sweeps too now
    observed.subscribe(recorder::add);
    writer.put(user, "{\"x\":1}");

    recorder.awaitMatch(e -> e instanceof PresenceEvent.Left<String>);
    second.awaitMatch(e -> e instanceof PresenceEvent.Left<String>);
    writer.put("marker-" + user, "{}");
    recorder.awaitMatch(e -> e instanceof PresenceEvent.Joined<String> j
        && j.userId().equals("marker-" + user));

    assertThat(recorder.events()).filteredOn(e -> e instanceof PresenceEvent.Left<String>)
        .hasSize(1);
  }

  @Test
  void heartbeat_keepsThePresenceKeysLongerThanThePresence_soTheLastLeaveIsSeen() {
    writer.put(user, "{\"x\":1}");

    long ttl = redis.jedis().pttl(config.keySchema().presenceKey());

    assertThat(ttl).isGreaterThan(TTL.toMillis());
  }

  @Test
  void remove_ofExpiredButUnsweptUser_announcesTheExpiry() {
    List<String> messages = afterAnUnsweptExpiry(() -> assertThat(writer.remove(user)).isFalse(), 2);

    String id = writer.instanceId();
    assertThat(messages).containsExactly("J\n" + id + "\n" + user + "\n{\"x\":1}",
        "E\n" + id + "\n" + user + "\n");
  }

  @Test
  void put_ofExpiredButUnsweptUser_announcesTheExpiryThenTheJoin() {
    List<String> messages = afterAnUnsweptExpiry(() -> writer.put(user, "{\"x\":2}"), 3);

    assertThat(messages).extracting(m -> m.substring(0, 1)).containsExactly("J", "E", "J");
  }

  /**
   * Puts {@link #user}, lets the presence expire while no store has a listener (so no sweep
   * runs and nobody announces it), then runs {@code action}; returns the first {@code n}
   * messages a plain Redis client subscribed to the presence channel saw.
   */
  private List<String> afterAnUnsweptExpiry(Runnable action, int n) {
    try (RawSubscriber raw = RawSubscriber.on(redis, config.keySchema().presenceKey() + ":events")) {
      writer.put(user, "{\"x\":1}");
      org.awaitility.Awaitility.await().atMost(EventRecorder.TIMEOUT)
          .until(() -> writer.get(user).isEmpty());
      action.run();
      return raw.awaitCount(n);
    }
  }
}
