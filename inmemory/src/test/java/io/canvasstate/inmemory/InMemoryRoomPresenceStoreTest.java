package io.canvasstate.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.Codec;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.TtlPolicy;
import io.canvasstate.contract.RoomPresenceStoreContract;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The room contract on the in-memory store and its manual clock, plus its own hooks. */
class InMemoryRoomPresenceStoreTest extends RoomPresenceStoreContract {
  private final ManualClock clock = ManualClock.create();

  @Override
  protected RoomPresenceStore<String> newRoomStore(TtlPolicy ttl, RoomConfig config) {
    return InMemoryRoomPresenceStore.builder(Codec.string()).clock(clock).ttl(ttl).config(config)
        .build();
  }

  @Override
  protected RoomPresenceStore<String> newInstance(RoomPresenceStore<String> store) {
    return ((InMemoryRoomPresenceStore<String>) store).newInstance();
  }

  @Override
  protected void crash(RoomPresenceStore<String> store) {
    ((InMemoryRoomPresenceStore<String>) store).crash();
  }

  @Override
  protected void elapse(Duration duration) {
    clock.advance(duration);
  }

  /** Lifetimes unlike the default and unlike each other, to catch one used for the other. */
  @Override
  protected TtlPolicy shortTtl() {
    return new TtlPolicy(Duration.ofMinutes(2), Duration.ofSeconds(7));
  }

  @Test
  void crash_exactlyAtTheLease_connectionsEnd() {
    InMemoryRoomPresenceStore<String> a = closeAfterTest(InMemoryRoomPresenceStore
        .builder(Codec.string()).clock(clock)
        .config(RoomConfig.builder().lease(Duration.ofSeconds(10)).build()).build());
    InMemoryRoomPresenceStore<String> b = closeAfterTest(a.newInstance());
    a.heartbeat("r", "u", "c", "1");

    a.crash();
    clock.advance(Duration.ofMillis(9_999));
    assertThat(b.count("r")).isEqualTo(1);
    clock.advance(Duration.ofMillis(1));

    assertThat(b.count("r")).isZero();
  }

  @Test
  void heartbeatEncoded_undecodableValue_leftOutOfTheListAndCounted() {
    InMemoryRoomPresenceStore<io.canvasstate.contract.TestShape> rooms = closeAfterTest(
        InMemoryRoomPresenceStore.builder(io.canvasstate.JacksonCodec.of(
            io.canvasstate.contract.TestShape.class)).clock(clock).build());
    rooms.heartbeatEncoded("r", "u", "c", "[".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(rooms.list("r")).isEmpty();

    assertThat(rooms.undecodableValues()).isEqualTo(1);
    assertThat(rooms.count("r")).isEqualTo(1);
  }
}
