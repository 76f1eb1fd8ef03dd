package io.canvasstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.CanvasEvent;
import io.canvasstate.Codec;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.contract.CanvasEventsContract;
import io.canvasstate.contract.EventRecorder;
import io.canvasstate.redis.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event contract across two instances: every test observes one {@link RedisStores} and
 * writes through another, on one real Redis.
 */
class RedisCanvasEventsTest extends CanvasEventsContract {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.create();

  private StoreConfig config;
  private RedisStores observer;
  private RedisStores writerStores;

  @Override
  protected Stores createStores() {
    config = redis.configBuilder().build();
    observer = RedisStores.create(config);
    writerStores = RedisStores.create(config);
    return new Stores(observer.redisCanvas(Codec.string()), writerStores.redisCanvas(Codec.string()));
  }

  @Override
  protected void closeStores(Stores stores) {
    super.closeStores(stores);
    observer.close();
    writerStores.close();
  }

  @Test
  void instances_haveDifferentIds_soEchoesAreTellable() {
    assertThat(observed.instanceId()).isNotEqualTo(writer.instanceId());
    assertThat(observer.instanceId()).isEqualTo(observed.instanceId());
  }

  @Test
  void put_publishesPlainTextThatAnyRedisClientCanRead() throws Exception {
    List<String> messages;
    try (RawSubscriber raw = RawSubscriber.on(redis, config.keySchema().projectKey(project, "events"))) {
      writer.put(project, "a", json(1));
      writer.remove(project, "a");
      writer.clear(project);
      writer.putAll(project, java.util.Map.of("b", json(2)));
      writer.clear(project);
      messages = raw.awaitCount(4);
    }

    String id = writer.instanceId();
    assertThat(messages).containsExactly(
        "P\n" + id + "\na\n" + json(1),
        "R\n" + id + "\na\n",
        "P\n" + id + "\nb\n" + json(2),
        "C\n" + id + "\n\n");
  }

  @Test
  void failedWrite_onKeyOfWrongType_publishesNothing() {
    observed.subscribe(project, recorder::add);
    String key = config.keySchema().objectsKey(project);
    redis.jedis().set(key, "not a hash");

    assertThatThrownBy(() -> writer.put(project, "a", json(1))).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> writer.clear(project)).isInstanceOf(StoreException.class);
    redis.jedis().del(key);

    assertThat(flushWithMarker()).hasSize(1);
  }

  @Test
  void aclUser_withChannelPermission_getsEvents_withoutIt_stillWrites() {
    String user = "ev" + Long.toHexString(System.nanoTime());
    redis.jedis().aclSetUser(user + "-pubsub", "reset", "on", ">pw-1", "~*", "&*", "+@all");
    redis.jedis().aclSetUser(user + "-nopubsub", "reset", "on", ">pw-2", "~*", "+@all");
    StoreConfig allowed = config.toBuilder().username(user + "-pubsub").password("pw-1").build();
    StoreConfig denied = config.toBuilder().username(user + "-nopubsub").password("pw-2").build();
    try (RedisStores withChannels = RedisStores.create(allowed);
        RedisStores withoutChannels = RedisStores.create(denied)) {
      withChannels.redisCanvas(Codec.string()).subscribe(project, recorder::add);

      withoutChannels.redisCanvas(Codec.string()).put(project, "silent", json(1));
      withChannels.redisCanvas(Codec.string()).put(project, "heard", json(2));

      assertThat(recorder.awaitCount(1)).extracting(e -> ((CanvasEvent.Put<String>) e).objectId())
          .containsExactly("heard");
      assertThat(observed.get(project, "silent")).contains(json(1));
    } finally {
      redis.jedis().aclDelUser(user + "-pubsub");
      redis.jedis().aclDelUser(user + "-nopubsub");
    }
  }

  @Test
  void messageFromAnotherPublisher_isIgnored() {
    observed.subscribe(project, recorder::add);
    String channel = config.keySchema().projectKey(project, "events");

    redis.jedis().publish(channel, "hello from someone else");
    redis.jedis().publish(channel.getBytes(StandardCharsets.UTF_8),
        ("P\n" + "other\n" + "bad\n" + "{not json").getBytes(StandardCharsets.UTF_8));

    List<CanvasEvent<String>> events = flushWithMarker();
    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOf(CanvasEvent.Put.class);
  }

  @Test
  void undecodableValue_inAnEvent_deliversResync() {
    RedisCanvasStore<Integer> ints = observer.redisCanvas(INTEGERS);
    EventRecorder<CanvasEvent<Integer>> got = new EventRecorder<>();
    ints.subscribe(project, got::add);

    writer.put(project, "a", "not a number");

    assertThat(got.awaitCount(1)).containsExactly(
        new CanvasEvent.Resync<>(project, io.canvasstate.ResyncReason.UNDECODABLE_EVENT));
    ints.close();
  }
}
