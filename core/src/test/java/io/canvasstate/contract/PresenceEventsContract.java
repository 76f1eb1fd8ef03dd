package io.canvasstate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.PresenceEvent;
import io.canvasstate.PresenceStore;
import io.canvasstate.Subscription;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PresenceStore#subscribe}, run by every store: joins, updates, leaves
 * (removed and expired, the latter without anyone reading), origin and closing.
 *
 * <p>A subclass supplies the observed store and the store written through (the same object, or
 * two instances on one server) and a way to let every current presence expire. Values are JSON
 * strings. Every test uses its own user ids.
 */
public abstract class PresenceEventsContract {
  /** The observed store and the store written through; the same object or two instances. */
  public record Stores(PresenceStore<String> observed, PresenceStore<String> writer) {}

  /** Creates the stores for one test; {@link #closeStores} closes them. */
  protected abstract Stores createStores();

  /**
   * Lets the presence lifetime pass (advance a manual clock, or nothing when the lifetime is
   * short and real), without reading presence.
   */
  protected abstract void letPresenceExpire();

  /** Closes what {@link #createStores} made. */
  protected void closeStores(Stores stores) {
    stores.writer().close();
    if (stores.observed() != stores.writer()) {
      stores.observed().close();
    }
  }

  private Stores stores;
  protected PresenceStore<String> observed;
  protected PresenceStore<String> writer;
  protected String user;
  protected final EventRecorder<PresenceEvent<String>> recorder = new EventRecorder<>();

  @BeforeEach
  void createTheStores() {
    stores = createStores();
    observed = stores.observed();
    writer = stores.writer();
    user = "u-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeTheStores() {
    if (stores != null) {
      closeStores(stores);
    }
  }

  /**
   * Subscribes {@link #recorder}, then makes sure it records nothing of the writes made before,
   * whose events may still be in flight (on a Redis Cluster, messages cross the cluster bus after
   * the write has returned): puts and removes a settle user, waits for the removal's event, and
   * forgets what was recorded until then.
   */
  protected Subscription subscribeRecorder() {
    Subscription subscription = observed.subscribe(recorder::add);
    String settle = "settle-" + user;
    writer.put(settle, "{}");
    writer.remove(settle);
    recorder.awaitMatch(e -> e instanceof PresenceEvent.Left<String> l
        && l.userId().equals(settle));
    recorder.clear();
    return subscription;
  }

  /** The events about {@link #user} only: other tests' users may share the store. */
  private java.util.List<PresenceEvent<String>> mine(java.util.List<PresenceEvent<String>> all) {
    return all.stream().filter(e -> userOf(e).equals(user)).toList();
  }

  private static String userOf(PresenceEvent<String> e) {
    return e instanceof PresenceEvent.Change<String> change ? change.userId() : "";
  }

  private java.util.List<PresenceEvent<String>> awaitMine(int n) {
    org.awaitility.Awaitility.await().atMost(EventRecorder.TIMEOUT)
        .until(() -> mine(recorder.events()).size() >= n);
    return mine(recorder.events());
  }

  @Test
  void putRemove_deliverJoinedUpdatedLeftInOrder() {
    subscribeRecorder();
    String me = writer.instanceId();

    writer.put(user, "{\"x\":1}");
    writer.put(user, "{\"x\":2}");
    assertThat(writer.remove(user)).isTrue();

    assertThat(awaitMine(3)).containsExactly(
        new PresenceEvent.Joined<>(user, "{\"x\":1}", me),
        new PresenceEvent.Updated<>(user, "{\"x\":2}", me),
        new PresenceEvent.Left<>(user, PresenceEvent.Left.Reason.REMOVED, me));
  }

  @Test
  void remove_ofAbsentUser_deliversNothing() {
    subscribeRecorder();

    assertThat(writer.remove(user)).isFalse();
    writer.put(user, "{\"x\":1}");

    assertThat(awaitMine(1)).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Joined");
  }

  @Test
  void expiry_withoutAnyoneReading_deliversLeftExpired() {
    writer.put(user, "{\"x\":1}");
    subscribeRecorder();

    letPresenceExpire();

    assertThat(awaitMine(1)).singleElement().satisfies(e -> {
      assertThat(e).isInstanceOf(PresenceEvent.Left.class);
      assertThat(((PresenceEvent.Left<String>) e).reason())
          .isEqualTo(PresenceEvent.Left.Reason.EXPIRED);
    });
  }

  @Test
  void put_afterExpiry_isAJoinAgain() {
    subscribeRecorder();
    writer.put(user, "{\"x\":1}");
    letPresenceExpire();
    awaitMine(2);

    writer.put(user, "{\"x\":2}");

    assertThat(awaitMine(3)).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Joined", "Left", "Joined");
  }

  @Test
  void ownEchoes_areRecognisableByInstanceId() {
    subscribeRecorder();

    writer.put(user, "{\"x\":1}");

    PresenceEvent<String> e = awaitMine(1).get(0);
    assertThat(e.isFrom(writer.instanceId())).isTrue();
    assertThat(e.isFrom("someone-else")).isFalse();
  }

  @Test
  void closedSubscription_receivesNothingMore() {
    Subscription subscription = subscribeRecorder();
    EventRecorder<PresenceEvent<String>> still = new EventRecorder<>();
    observed.subscribe(still::add);
    writer.put(user, "{\"x\":1}");
    awaitMine(1);

    subscription.close();
    writer.put(user, "{\"x\":2}");
    org.awaitility.Awaitility.await().atMost(EventRecorder.TIMEOUT)
        .until(() -> mine(still.events()).size() >= 2);

    assertThat(mine(recorder.events())).hasSize(1);
    assertThat(subscription.isActive()).isFalse();
  }

  @Test
  void listenerThatThrows_doesNotStopDelivery() {
    subscribeRecorder();
    observed.subscribe(e -> {
      throw new IllegalStateException("listener bug (thrown on purpose by the test)");
    });

    writer.put(user, "{\"x\":1}");
    writer.put(user, "{\"x\":2}");

    assertThat(awaitMine(2)).hasSize(2);
  }

  @Test
  void closingTheStore_endsItsSubscriptions() {
    Subscription subscription = subscribeRecorder();

    observed.close();

    assertThat(subscription.isActive()).isFalse();
  }
}
