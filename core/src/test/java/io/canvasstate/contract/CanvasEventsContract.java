package io.canvasstate.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasStore;
import io.canvasstate.Subscription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link CanvasStore#subscribe}, run by every store: which writes produce which
 * events, in what order, with which origin, and what closing does.
 *
 * <p>A subclass supplies two stores on the same backing state: the one observed and the one
 * written through. They may be the same store (an in-process store), or two instances on one
 * server (then every test is also a cross-instance test). Values are JSON strings
 * ({@link io.canvasstate.Codec#string()}). Every test uses its own project ids.
 */
public abstract class CanvasEventsContract {
  /** The observed store and the store written through; the same object or two instances. */
  public record Stores(CanvasStore<String> observed, CanvasStore<String> writer) {}

  /** Creates the stores for one test; {@link #closeStores} closes them. */
  protected abstract Stores createStores();

  /** Closes what {@link #createStores} made. */
  protected void closeStores(Stores stores) {
    stores.writer().close();
    if (stores.observed() != stores.writer()) {
      stores.observed().close();
    }
  }

  private Stores stores;
  protected CanvasStore<String> observed;
  protected CanvasStore<String> writer;
  protected String project;
  protected final EventRecorder<CanvasEvent<String>> recorder = new EventRecorder<>();

  @BeforeEach
  void createTheStores() {
    stores = createStores();
    observed = stores.observed();
    writer = stores.writer();
    project = "ev-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeTheStores() {
    if (stores != null) {
      closeStores(stores);
    }
  }

  /** A codec of whole numbers as text, which cannot read the JSON values the tests write. */
  protected static final io.canvasstate.Codec<Integer> INTEGERS = new io.canvasstate.Codec<>() {
    @Override
    public byte[] encode(Integer value) {
      return value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public Integer decode(byte[] bytes) {
      return Integer.valueOf(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }
  };

  /** A JSON string value. */
  protected static String json(int n) {
    return "{\"n\":" + n + "}";
  }

  /**
   * Subscribes {@link #recorder} to the project, then makes sure it records nothing of the
   * writes made before: events of those may still be in flight (on a Redis Cluster, messages
   * cross the cluster bus after the write has returned). Writes and removes a settle object,
   * waits for the removal's event, and forgets what was recorded until then; the project is
   * left as it was.
   */
  protected Subscription subscribeRecorder() {
    Subscription subscription = observed.subscribe(project, recorder::add);
    writer.put(project, "settle", json(0));
    writer.remove(project, "settle");
    recorder.awaitMatch(e -> e instanceof CanvasEvent.Removed<String> r
        && r.objectId().equals("settle"));
    recorder.clear();
    return subscription;
  }

  /** Writes a marker object and waits for its event: everything written before has arrived. */
  protected List<CanvasEvent<String>> flushWithMarker() {
    writer.put(project, "marker", "{\"marker\":true}");
    return recorder.awaitMatch(e -> e instanceof CanvasEvent.Put<String> p
        && p.objectId().equals("marker"));
  }

  private static CanvasEvent<String> put(String project, String id, String value, String by) {
    return new CanvasEvent.Put<>(project, id, value, by);
  }

  @Test
  void put_whileSubscribed_deliversPutWithProjectObjectValueAndOrigin() {
    subscribeRecorder();

    writer.put(project, "a", json(1));

    assertThat(recorder.awaitCount(1))
        .containsExactly(put(project, "a", json(1), writer.instanceId()));
  }

  @Test
  void remove_ofPresentObject_deliversRemoved() {
    writer.put(project, "a", json(1));
    subscribeRecorder();

    assertThat(writer.remove(project, "a")).isTrue();

    assertThat(recorder.awaitCount(1))
        .containsExactly(new CanvasEvent.Removed<>(project, "a", writer.instanceId()));
  }

  @Test
  void clear_ofProjectWithObjects_deliversCleared() {
    writer.put(project, "a", json(1));
    writer.put(project, "b", json(2));
    subscribeRecorder();

    writer.clear(project);

    assertThat(recorder.awaitCount(1))
        .containsExactly(new CanvasEvent.Cleared<>(project, writer.instanceId()));
  }

  @Test
  void writesThatChangeNothing_deliverNoEvent() {
    writer.put(project, "present", json(1));
    subscribeRecorder();

    assertThat(writer.remove(project, "absent")).isFalse();
    assertThat(writer.putIfAbsent(project, "present", json(2))).contains(json(1));
    assertThat(writer.replace(project, "absent", json(3))).isEmpty();
    assertThat(writer.replace(project, "present", json(9), json(4))).isFalse();
    assertThat(writer.remove(project, "present", json(9))).isFalse();
    assertThat(writer.getAndRemove(project, "absent")).isEmpty();

    assertThat(flushWithMarker()).extracting(e -> e instanceof CanvasEvent.Put<String> p
        ? p.objectId() : e.toString()).containsExactly("marker");
  }

  @Test
  void clear_ofEmptyProject_deliversNothing() {
    subscribeRecorder();

    writer.clear(project);

    assertThat(flushWithMarker()).hasSize(1);
  }

  @Test
  void putAll_deliversOnePutPerObject() {
    subscribeRecorder();
    Map<String, String> objects = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      objects.put("o" + i, json(i));
    }

    writer.putAll(project, objects);

    assertThat(recorder.awaitCount(5)).containsExactlyInAnyOrderElementsOf(
        objects.entrySet().stream()
            .map(e -> put(project, e.getKey(), e.getValue(), writer.instanceId())).toList());
  }

  @Test
  void conditionalWrites_thatChangeSomething_deliverTheirEvents() {
    subscribeRecorder();
    String me = writer.instanceId();

    assertThat(writer.putIfAbsent(project, "a", json(1))).isEmpty();
    assertThat(writer.getAndPut(project, "a", json(2))).contains(json(1));
    assertThat(writer.replace(project, "a", json(3))).contains(json(2));
    assertThat(writer.replace(project, "a", json(3), json(4))).isTrue();
    assertThat(writer.remove(project, "a", json(4))).isTrue();
    writer.put(project, "b", json(5));
    assertThat(writer.getAndRemove(project, "b")).contains(json(5));

    assertThat(recorder.awaitCount(7)).containsExactly(
        put(project, "a", json(1), me),
        put(project, "a", json(2), me),
        put(project, "a", json(3), me),
        put(project, "a", json(4), me),
        new CanvasEvent.Removed<>(project, "a", me),
        put(project, "b", json(5), me),
        new CanvasEvent.Removed<>(project, "b", me));
  }

  @Test
  void asMapWrites_deliverEventsToo() {
    subscribeRecorder();

    writer.asMap(project).put("a", json(1));
    writer.asMap(project).merge("a", json(2), (old, v) -> v);
    writer.asMap(project).remove("a");

    assertThat(recorder.awaitCount(3)).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Put", "Put", "Removed");
  }

  @Test
  void manyWritesToOneObject_arriveInWriteOrder() {
    subscribeRecorder();

    for (int i = 0; i < 200; i++) {
      writer.put(project, "a", json(i));
    }

    List<CanvasEvent<String>> events = recorder.awaitCount(200);
    List<String> values = new ArrayList<>();
    for (CanvasEvent<String> e : events) {
      values.add(((CanvasEvent.Put<String>) e).value());
    }
    assertThat(values).containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, 200).mapToObj(CanvasEventsContract::json).toList());
  }

  @Test
  void eventsOfAnotherProject_areNotDelivered() {
    subscribeRecorder();

    writer.put("other-" + project, "a", json(1));

    assertThat(flushWithMarker()).hasSize(1);
  }

  @Test
  void ownEchoes_areRecognisableByInstanceId() {
    subscribeRecorder();
    EventRecorder<CanvasEvent<String>> own = new EventRecorder<>();
    writer.subscribe(project, own::add);

    writer.put(project, "a", json(1));

    CanvasEvent<String> echo = own.awaitCount(1).get(0);
    CanvasEvent<String> seen = recorder.awaitCount(1).get(0);
    assertThat(echo.isFrom(writer.instanceId())).isTrue();
    assertThat(seen.isFrom(writer.instanceId())).isTrue();
    assertThat(seen.isFrom(writer.instanceId() + "x")).isFalse();
  }

  @Test
  void closedSubscription_receivesNothingMore() {
    Subscription subscription = subscribeRecorder();
    EventRecorder<CanvasEvent<String>> still = new EventRecorder<>();
    observed.subscribe(project, still::add);
    writer.put(project, "a", json(1));
    recorder.awaitCount(1);

    subscription.close();
    writer.put(project, "a", json(2));
    still.awaitMatch(e -> e.equals(put(project, "a", json(2), writer.instanceId())));

    assertThat(subscription.isActive()).isFalse();
    assertThat(recorder.events()).hasSize(1);
  }

  @Test
  void listenerThatThrows_doesNotStopDeliveryToItOrOthers() {
    subscribeRecorder();
    EventRecorder<CanvasEvent<String>> failing = new EventRecorder<>();
    observed.subscribe(project, e -> {
      failing.add(e);
      throw new IllegalStateException("listener bug (thrown on purpose by the test)");
    });

    writer.put(project, "a", json(1));
    writer.put(project, "a", json(2));

    assertThat(recorder.awaitCount(2)).hasSize(2);
    assertThat(failing.awaitCount(2)).hasSize(2);
  }

  @Test
  void listenerThatWritesToTheStore_doesNotDeadlock() {
    String mirror = "mirror-" + project;
    EventRecorder<CanvasEvent<String>> mirrored = new EventRecorder<>();
    observed.subscribe(mirror, mirrored::add);
    observed.subscribe(project, e -> {
      if (e instanceof CanvasEvent.Put<String> p) {
        observed.put(mirror, p.objectId(), p.value());
      }
    });

    writer.put(project, "a", json(1));

    assertThat(mirrored.awaitCount(1))
        .containsExactly(put(mirror, "a", json(1), observed.instanceId()));
    assertThat(observed.get(mirror, "a")).contains(json(1));
  }

  @Test
  void subscribe_withInvalidProjectId_throwsNamingIt() {
    assertThatThrownBy(() -> observed.subscribe("a}b", recorder::add))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("projectId");
    assertThatThrownBy(() -> observed.subscribe(project, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void closingTheStore_endsItsSubscriptions() {
    Subscription subscription = subscribeRecorder();

    observed.close();

    assertThat(subscription.isActive()).isFalse();
    assertThatThrownBy(() -> observed.subscribe(project, recorder::add))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void instanceId_isAValidIdAndStable() {
    assertThat(observed.instanceId()).isNotBlank().isEqualTo(observed.instanceId())
        .doesNotContainAnyWhitespaces();
  }
}
