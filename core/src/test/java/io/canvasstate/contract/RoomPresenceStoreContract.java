package io.canvasstate.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canvasstate.Codec;
import io.canvasstate.PresenceEvent.Left.Reason;
import io.canvasstate.RoomConfig;
import io.canvasstate.RoomConnection;
import io.canvasstate.RoomEvent;
import io.canvasstate.RoomPresenceStore;
import io.canvasstate.TtlPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link RoomPresenceStore}: rooms, connections, lifetimes, instance leases and
 * events, observed through the public API only.
 *
 * <p>A store's test extends this class and supplies {@link #newRoomStore} (the first instance
 * on a fresh state), {@link #newInstance} (another instance on the same state, as a second
 * server), {@link #crash} (an instance dying without closing, as with {@code kill -9}) and
 * {@link #elapse}. Values are JSON strings ({@link Codec#string()}).
 */
public abstract class RoomPresenceStoreContract extends ContractSupport {

  /**
   * Returns a new store: one instance on a state that no other test shares. The suite closes it.
   *
   * @param ttl the lifetimes: a connection lives {@code presenceTtl} after its last heartbeat
   * @param config the lease and sweep interval
   */
  protected abstract RoomPresenceStore<String> newRoomStore(TtlPolicy ttl, RoomConfig config);

  /** Returns another instance on the state of {@code store}, with its own id and lease. */
  protected abstract RoomPresenceStore<String> newInstance(RoomPresenceStore<String> store);

  /**
   * Makes {@code store}'s instance die without closing: its lease is refreshed no more and
   * nothing is cleaned up; its listeners may or may not hear more.
   */
  protected abstract void crash(RoomPresenceStore<String> store);

  /** Lets {@code duration} pass for the stores of the current test: a manual clock, or sleep. */
  protected abstract void elapse(Duration duration);

  /**
   * The lease and sweep interval of the lease tests: a 1.5 s lease, checked every 100 ms, which
   * suits stores whose test sleeps (a shorter lease can run out during a stall of a loaded
   * machine).
   */
  protected RoomConfig shortLease() {
    return RoomConfig.builder().lease(Duration.ofMillis(1500))
        .sweepInterval(Duration.ofMillis(100)).build();
  }

  // ---- helpers ----

  private RoomPresenceStore<String> store() {
    return closeAfterTest(newRoomStore(TtlPolicy.DEFAULT, shortLease()));
  }

  private RoomPresenceStore<String> other(RoomPresenceStore<String> store) {
    return closeAfterTest(newInstance(store));
  }

  private static String cursor(int x) {
    return "{\"x\":" + x + "}";
  }

  private static List<String> connections(List<RoomConnection<String>> list) {
    return list.stream().map(c -> c.userId() + "/" + c.connectionId()).toList();
  }

  // ---- rooms and connections ----

  @Test
  void heartbeat_newConnection_listedWithItsValueAndCounted() {
    RoomPresenceStore<String> rooms = store();
    String room = newId("room");

    rooms.heartbeat(room, "alice", "tab1", cursor(1));

    assertThat(rooms.list(room)).containsExactly(new RoomConnection<>("alice", "tab1", cursor(1)));
    assertThat(rooms.count(room)).isEqualTo(1);
    assertThat(rooms.get(room, "alice")).containsExactly(Map.entry("tab1", cursor(1)));
  }

  @Test
  void heartbeat_twoTabsOfOneUser_twoConnectionsOneUser() {
    RoomPresenceStore<String> rooms = store();
    String room = newId("room");

    rooms.heartbeat(room, "alice", "tab1", cursor(1));
    rooms.heartbeat(room, "alice", "tab2", cursor(2));
    rooms.heartbeat(room, "alice", "tab1", cursor(3));

    assertThat(rooms.list(room)).containsExactly(new RoomConnection<>("alice", "tab1", cursor(3)),
        new RoomConnection<>("alice", "tab2", cursor(2)));
    assertThat(rooms.count(room)).isEqualTo(1);
    assertThat(rooms.get(room, "alice")).containsOnly(Map.entry("tab1", cursor(3)),
        Map.entry("tab2", cursor(2)));
  }

  @Test
  void list_manyUsers_orderedByUserThenConnection() {
    RoomPresenceStore<String> rooms = store();
    String room = newId("room");
    rooms.heartbeat(room, "bob", "b", cursor(1));
    rooms.heartbeat(room, "a-b", "z", cursor(2));
    rooms.heartbeat(room, "a", "y", cursor(3));
    rooms.heartbeat(room, "bob", "a", cursor(4));

    assertThat(connections(rooms.list(room))).containsExactly("a/y", "a-b/z", "bob/a", "bob/b");
    assertThat(rooms.count(room)).isEqualTo(3);
  }

  @Test
  void rooms_userInTwoRooms_eachRoomListsOnlyItsOwn() {
    RoomPresenceStore<String> rooms = store();
    String one = newId("room");
    String two = newId("room");

    rooms.heartbeat(one, "alice", "tab1", cursor(1));
    rooms.heartbeat(two, "alice", "tab2", cursor(2));
    rooms.heartbeat(two, "bob", "tab1", cursor(3));

    assertThat(connections(rooms.list(one))).containsExactly("alice/tab1");
    assertThat(connections(rooms.list(two))).containsExactly("alice/tab2", "bob/tab1");
    assertThat(rooms.get(one, "bob")).isEmpty();
    assertThat(rooms.count(two)).isEqualTo(2);
  }

  @Test
  void leave_oneOfTwoTabs_userStaysWithTheOther() {
    RoomPresenceStore<String> rooms = store();
    String room = newId("room");
    rooms.heartbeat(room, "alice", "tab1", cursor(1));
    rooms.heartbeat(room, "alice", "tab2", cursor(2));

    assertThat(rooms.leave(room, "alice", "tab1")).isTrue();

    assertThat(connections(rooms.list(room))).containsExactly("alice/tab2");
    assertThat(rooms.count(room)).isEqualTo(1);
    assertThat(rooms.leave(room, "alice", "tab2")).isTrue();
    assertThat(rooms.list(room)).isEmpty();
    assertThat(rooms.count(room)).isZero();
    assertThat(rooms.get(room, "alice")).isEmpty();
  }

  @Test
  void leave_absentConnection_returnsFalse() {
    RoomPresenceStore<String> rooms = store();
    String room = newId("room");
    rooms.heartbeat(room, "alice", "tab1", cursor(1));

    assertThat(rooms.leave(room, "alice", "tab2")).isFalse();
    assertThat(rooms.leave(newId("room"), "alice", "tab1")).isFalse();
    assertThat(rooms.count(room)).isEqualTo(1);
  }

  @Test
  void emptyRoom_reads_returnNothing() {
    RoomPresenceStore<String> rooms = store();
    String room = newId("room");

    assertThat(rooms.list(room)).isEmpty();
    assertThat(rooms.count(room)).isZero();
    assertThat(rooms.get(room, "alice")).isEmpty();
  }

  @Test
  void everyOperation_invalidId_throwsNamingIt() {
    RoomPresenceStore<String> rooms = store();

    assertThatThrownBy(() -> rooms.heartbeat("a}b", "u", "c", cursor(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("roomId")
        .hasMessageContaining("a}b");
    assertThatThrownBy(() -> rooms.heartbeat("r", "u:x", "c", cursor(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId");
    assertThatThrownBy(() -> rooms.heartbeat("r", "u", "", cursor(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionId");
    assertThatThrownBy(() -> rooms.list("{r"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("roomId");
    assertThatThrownBy(() -> rooms.leave("r", "u", "c d"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionId");
    assertThatThrownBy(() -> rooms.heartbeat("r", "u", "c", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("value");
    assertThat(rooms.count("r")).isZero();
  }

  @Test
  void twoInstances_eachHeartbeatsItsTabs_bothSeeTheWholeRoom() {
    RoomPresenceStore<String> a = store();
    RoomPresenceStore<String> b = other(a);
    String room = newId("room");

    a.heartbeat(room, "alice", "tab1", cursor(1));
    b.heartbeat(room, "alice", "tab2", cursor(2));
    b.heartbeat(room, "bob", "tab1", cursor(3));

    assertThat(a.instanceId()).isNotEqualTo(b.instanceId());
    assertThat(connections(a.list(room))).containsExactly("alice/tab1", "alice/tab2", "bob/tab1");
    assertThat(b.list(room)).isEqualTo(a.list(room));
    assertThat(a.count(room)).isEqualTo(2);
  }

  // ---- lifetimes and leases ----

  @Test
  void connection_noHeartbeatForItsLifetime_endsWithoutAnyoneSweeping() {
    RoomPresenceStore<String> rooms = closeAfterTest(newRoomStore(shortTtl(), shortLease()));
    String room = newId("room");
    rooms.heartbeat(room, "alice", "tab1", cursor(1));
    rooms.heartbeat(room, "bob", "tab1", cursor(2));
    elapse(tenths(shortTtl().presenceTtl(), 6));
    rooms.heartbeat(room, "bob", "tab1", cursor(3));

    elapse(tenths(shortTtl().presenceTtl(), 6));

    assertThat(connections(rooms.list(room))).containsExactly("bob/tab1");
    assertThat(rooms.count(room)).isEqualTo(1);
    assertThat(rooms.get(room, "alice")).isEmpty();
  }

  @Test
  void lease_instanceAlive_keepsItsConnectionsPastTheLease() {
    RoomPresenceStore<String> a = store();
    RoomPresenceStore<String> b = other(a);
    String room = newId("room");
    a.heartbeat(room, "alice", "tab1", cursor(1));

    elapse(shortLease().lease().multipliedBy(2));

    assertThat(connections(b.list(room))).containsExactly("alice/tab1");
  }

  @Test
  void lease_instanceCrashed_itsConnectionsLeaveOtherInstancesWithinTheLease() {
    RoomPresenceStore<String> a = store();
    RoomPresenceStore<String> b = other(a);
    String room = newId("room");
    a.heartbeat(room, "alice", "tab1", cursor(1));
    a.heartbeat(room, "carol", "tab1", cursor(2));
    b.heartbeat(room, "alice", "tab2", cursor(3));
    b.heartbeat(room, "bob", "tab1", cursor(4));

    crash(a);
    elapse(tenths(shortLease().lease(), 12));

    assertThat(connections(b.list(room))).containsExactly("alice/tab2", "bob/tab1");
    assertThat(b.count(room)).isEqualTo(2);
    assertThat(b.get(room, "carol")).isEmpty();
    assertThat(b.get(room, "alice")).containsOnlyKeys("tab2");
  }

  @Test
  void close_instanceClosed_itsConnectionsEndAtOnce() {
    RoomPresenceStore<String> a = store();
    RoomPresenceStore<String> b = other(a);
    String room = newId("room");
    a.heartbeat(room, "alice", "tab1", cursor(1));
    b.heartbeat(room, "bob", "tab1", cursor(2));

    a.close();

    assertThat(connections(b.list(room))).containsExactly("bob/tab1");
    assertThatThrownBy(() -> a.heartbeat(room, "alice", "tab1", cursor(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  // ---- events ----

  @Test
  void subscribe_joinsUpdatesAndLeaves_nameTheConnectionAndTheUserTransitions() {
    RoomPresenceStore<String> a = store();
    RoomPresenceStore<String> b = other(a);
    String room = newId("room");
    EventRecorder<RoomEvent<String>> events = new EventRecorder<>();
    b.subscribe(room, events::add);

    a.heartbeat(room, "alice", "tab1", cursor(1));
    a.heartbeat(room, "alice", "tab2", cursor(2));
    a.heartbeat(room, "alice", "tab1", cursor(3));
    a.leave(room, "alice", "tab1");
    a.leave(room, "alice", "tab2");

    String id = a.instanceId();
    assertThat(events.awaitCount(5)).containsExactly(
        new RoomEvent.Joined<>(room, "alice", "tab1", cursor(1), true, id),
        new RoomEvent.Joined<>(room, "alice", "tab2", cursor(2), false, id),
        new RoomEvent.Updated<>(room, "alice", "tab1", cursor(3), id),
        new RoomEvent.Left<>(room, "alice", "tab1", Reason.REMOVED, false, id),
        new RoomEvent.Left<>(room, "alice", "tab2", Reason.REMOVED, true, id));
  }

  @Test
  void subscribe_otherRooms_notDelivered() {
    RoomPresenceStore<String> rooms = store();
    String room = newId("room");
    EventRecorder<RoomEvent<String>> events = new EventRecorder<>();
    rooms.subscribe(room, events::add);

    rooms.heartbeat(newId("room"), "bob", "tab1", cursor(1));
    rooms.heartbeat(room, "alice", "tab1", cursor(2));

    assertThat(events.awaitCount(1)).singleElement()
        .isEqualTo(new RoomEvent.Joined<>(room, "alice", "tab1", cursor(2), true,
            rooms.instanceId()));
  }

  @Test
  void subscribe_instanceCrashed_listenersOfOthersHearLeftExpiredWithinTheLease() {
    RoomPresenceStore<String> a = store();
    RoomPresenceStore<String> b = other(a);
    String room = newId("room");
    a.heartbeat(room, "alice", "tab1", cursor(1));
    b.heartbeat(room, "alice", "tab2", cursor(2));
    a.heartbeat(room, "carol", "tab1", cursor(3));
    EventRecorder<RoomEvent<String>> events = new EventRecorder<>();
    b.subscribe(room, events::add);

    crash(a);
    elapse(tenths(shortLease().lease(), 12));

    // On a Cluster, events published before the subscription may still arrive through the
    // cluster bus after it: only the lefts matter here.
    events.awaitMatch(e -> events.events().stream().filter(RoomEvent.Left.class::isInstance)
        .count() >= 2);
    List<RoomEvent<String>> heard = events.events().stream()
        .filter(RoomEvent.Left.class::isInstance).toList();
    assertThat(heard).containsExactlyInAnyOrder(
        new RoomEvent.Left<>(room, "alice", "tab1", Reason.EXPIRED, false, b.instanceId()),
        new RoomEvent.Left<>(room, "carol", "tab1", Reason.EXPIRED, true, b.instanceId()));
  }

  @Test
  void subscribe_connectionOutlivesNoHeartbeat_leftExpiredWithoutAnyRead() {
    RoomPresenceStore<String> rooms = closeAfterTest(newRoomStore(shortTtl(), shortLease()));
    String room = newId("room");
    EventRecorder<RoomEvent<String>> events = new EventRecorder<>();
    rooms.subscribe(room, events::add);
    rooms.heartbeat(room, "alice", "tab1", cursor(1));

    elapse(tenths(shortTtl().presenceTtl(), 12));

    await().atMost(EventRecorder.TIMEOUT).untilAsserted(() -> assertThat(events.events())
        .contains(new RoomEvent.Left<>(room, "alice", "tab1", Reason.EXPIRED, true,
            rooms.instanceId())));
  }

  @Test
  void subscribe_closed_noMoreEvents() {
    RoomPresenceStore<String> rooms = store();
    String room = newId("room");
    EventRecorder<RoomEvent<String>> events = new EventRecorder<>();
    EventRecorder<RoomEvent<String>> stays = new EventRecorder<>();
    var subscription = rooms.subscribe(room, events::add);
    rooms.subscribe(room, stays::add);

    subscription.close();
    rooms.heartbeat(room, "alice", "tab1", cursor(1));

    stays.awaitCount(1);
    assertThat(subscription.isActive()).isFalse();
    assertThat(events.events()).isEmpty();
  }
}
