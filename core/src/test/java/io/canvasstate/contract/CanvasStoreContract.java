package io.canvasstate.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.TtlPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of {@link CanvasStore}: what every implementation does, observed through the
 * public API only.
 *
 * <p>A store's test extends this class and supplies {@link #newCanvasStore}, {@link #elapse}
 * and {@link #writeEncoded}; it may override {@link #shortTtl()} and {@link #capabilities()}.
 * Each test makes its own stores, which the suite closes after it, and uses ids no other test
 * uses.
 */
public abstract class CanvasStoreContract extends ContractSupport {

  /**
   * Returns a new store, empty and sharing no state with any other store this factory returned
   * (a fresh key prefix, say). The suite closes it after the test.
   *
   * @param codec the codec of the store's values
   * @param ttl the lifetimes to apply
   * @param maxValueBytes the largest encoded value the store must accept
   */
  protected abstract <T> CanvasStore<T> newCanvasStore(
      Codec<T> codec, TtlPolicy ttl, int maxValueBytes);

  /**
   * Lets {@code duration} pass for the stores of the current test: advances a manual clock, or
   * sleeps at least that long.
   */
  protected abstract void elapse(Duration duration);

  /**
   * Stores {@code bytes} as the value of an object of {@code store}, as another client would:
   * bypassing the codec and the size limit (undecodable JSON, or JSON with other spacing). The
   * project already has an object written through the store, so the hook need not refresh
   * lifetimes or active marks.
   */
  protected abstract void writeEncoded(
      CanvasStore<?> store, String projectId, String objectId, byte[] bytes);

  /**
   * Turns the key that holds a project's objects into a key of another type (a Redis string
   * where the hash belongs), as a misbehaving client would. Required with
   * {@link Capability#TYPED_KEYS}.
   */
  protected void plantWrongType(CanvasStore<?> store, String projectId) {
    throw new UnsupportedOperationException(
        getClass().getName() + " declares TYPED_KEYS but does not implement plantWrongType");
  }

  // ---- helpers ----

  private static final JacksonCodec<TestShape> SHAPES = JacksonCodec.of(TestShape.class);

  /** A store of shapes with the default lifetimes, for the tests that do not wait. */
  protected final CanvasStore<TestShape> shapes() {
    return store(SHAPES);
  }

  /** A store with the default lifetimes and value limit. */
  protected final <T> CanvasStore<T> store(Codec<T> codec) {
    return closeAfterTest(newCanvasStore(codec, TtlPolicy.DEFAULT,
        StoreConfig.DEFAULT_MAX_VALUE_BYTES));
  }

  /** A store of shapes with {@link #shortTtl()}. */
  protected final CanvasStore<TestShape> shortLivedShapes() {
    return closeAfterTest(newCanvasStore(SHAPES, shortTtl(), StoreConfig.DEFAULT_MAX_VALUE_BYTES));
  }

  private Duration canvasTtl(int tenths) {
    return tenths(shortTtl().canvasTtl(), tenths);
  }


  private static TestShape shape(String id, int x) {
    return new TestShape(id, x, x * 2);
  }

  // ---- reading and writing ----

  @Test
  void get_missingObject_returnsEmpty() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.get(p, "b")).isEmpty();
    assertThat(store.get(newId("p"), "a")).isEmpty();
  }

  @Test
  void put_newObject_getReturnsEqualValue() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    TestShape a = shape("a", 1);
    a.tags.add("red");

    store.put(p, "a", a);

    assertThat(store.get(p, "a")).contains(a);
  }

  @Test
  void put_existingObject_replacesValue() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    store.put(p, "a", shape("a", 2));

    assertThat(store.get(p, "a")).contains(shape("a", 2));
    assertThat(store.count(p)).isEqualTo(1);
  }

  @Test
  void put_sameObjectIdInTwoProjects_keepsThemApart() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    String q = newId("p");

    store.put(p, "a", shape("a", 1));
    store.put(q, "a", shape("a", 2));

    assertThat(store.getAll(p)).containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
    assertThat(store.getAll(q)).containsExactlyEntriesOf(Map.of("a", shape("a", 2)));
  }

  @Test
  void remove_existingObject_returnsTrueAndRemovesOnlyIt() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    store.put(p, "b", shape("b", 2));

    assertThat(store.remove(p, "a")).isTrue();

    assertThat(store.get(p, "a")).isEmpty();
    assertThat(store.getAll(p)).containsOnlyKeys("b");
  }

  @Test
  void remove_missingObject_returnsFalse() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.remove(p, "b")).isFalse();
    assertThat(store.remove(newId("p"), "a")).isFalse();
    assertThat(store.count(p)).isEqualTo(1);
  }

  @Test
  void putAll_newAndExistingObjects_storesEveryOne() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    Map<String, TestShape> batch = new HashMap<>();
    batch.put("a", shape("a", 10));
    batch.put("b", shape("b", 20));
    batch.put("c", shape("c", 30));

    store.putAll(p, batch);

    assertThat(store.getAll(p)).isEqualTo(batch);
  }

  @Test
  void putAll_emptyMap_writesNothing() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");

    store.putAll(p, Map.of());

    assertThat(store.count(p)).isZero();
    assertThat(store.activeProjects()).doesNotContain(p);
  }

  @Test
  void getAll_unknownProject_returnsEmptyMap() {
    CanvasStore<TestShape> store = shapes();

    assertThat(store.getAll(newId("p"))).isEmpty();
  }

  @Test
  void getAll_laterWrites_doNotChangeTheSnapshot() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    Map<String, TestShape> snapshot = store.getAll(p);

    store.put(p, "b", shape("b", 2));
    store.put(p, "a", shape("a", 3));

    assertThat(snapshot).containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
  }

  @Test
  void getAll_result_isImmutable() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    Map<String, TestShape> all = store.getAll(p);

    assertThatThrownBy(() -> all.put("b", shape("b", 2)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> store.ids(p).add("b"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> store.activeProjects().add("q"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void ids_someObjects_returnsTheirIds() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    store.put(p, "b", shape("b", 2));

    assertThat(store.ids(p)).containsExactlyInAnyOrder("a", "b");
    assertThat(store.ids(newId("p"))).isEmpty();
  }

  @Test
  void count_afterWritesAndRemoves_countsObjects() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    assertThat(store.count(p)).isZero();

    store.put(p, "a", shape("a", 1));
    store.put(p, "b", shape("b", 2));
    store.put(p, "b", shape("b", 3));
    assertThat(store.count(p)).isEqualTo(2);

    store.remove(p, "a");
    assertThat(store.count(p)).isEqualTo(1);
  }

  @Test
  void clear_project_removesItsObjectsAndActiveMarkOnly() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    String q = newId("p");
    store.put(p, "a", shape("a", 1));
    store.put(p, "b", shape("b", 2));
    store.put(q, "a", shape("a", 3));

    store.clear(p);

    assertThat(store.getAll(p)).isEmpty();
    assertThat(store.count(p)).isZero();
    assertThat(store.activeProjects()).containsExactly(q);
    assertThat(store.getAll(q)).containsOnlyKeys("a");
  }

  @Test
  void clear_unknownProject_doesNothing() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    store.clear(newId("p"));

    assertThat(store.activeProjects()).containsExactly(p);
  }

  @Test
  void activeProjects_afterWrites_listsProjectsWithObjects() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    String q = newId("p");
    assertThat(store.activeProjects()).isEmpty();

    store.put(p, "a", shape("a", 1));
    store.putAll(q, Map.of("b", shape("b", 2)));

    assertThat(store.activeProjects()).containsExactlyInAnyOrder(p, q);
  }

  @Test
  void activeProjects_lastObjectRemoved_doesNotListProject() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    String q = newId("p");
    store.put(p, "a", shape("a", 1));
    store.put(q, "a", shape("a", 1));
    store.put(q, "b", shape("b", 1));

    store.remove(p, "a");
    store.getAndRemove(q, "a");
    store.remove(q, "b", shape("b", 1));

    assertThat(store.activeProjects()).isEmpty();
  }

  @Test
  void activeProjects_onlyReads_doesNotListProject() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");

    store.get(p, "a");
    store.getAll(p);
    store.count(p);
    store.ids(p);
    store.remove(p, "a");

    assertThat(store.activeProjects()).isEmpty();
  }

  // ---- atomic single-object operations ----

  @Test
  void putIfAbsent_absent_storesAndReturnsEmpty() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");

    assertThat(store.putIfAbsent(p, "a", shape("a", 1))).isEmpty();

    assertThat(store.get(p, "a")).contains(shape("a", 1));
    assertThat(store.activeProjects()).contains(p);
  }

  @Test
  void putIfAbsent_present_returnsCurrentAndKeepsIt() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.putIfAbsent(p, "a", shape("a", 2))).contains(shape("a", 1));

    assertThat(store.get(p, "a")).contains(shape("a", 1));
  }

  @Test
  void getAndPut_absentThenPresent_returnsPreviousValues() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");

    assertThat(store.getAndPut(p, "a", shape("a", 1))).isEmpty();
    assertThat(store.getAndPut(p, "a", shape("a", 2))).contains(shape("a", 1));

    assertThat(store.get(p, "a")).contains(shape("a", 2));
  }

  @Test
  void getAndRemove_presentThenAbsent_returnsValueThenEmpty() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.getAndRemove(p, "a")).contains(shape("a", 1));
    assertThat(store.getAndRemove(p, "a")).isEmpty();

    assertThat(store.get(p, "a")).isEmpty();
  }

  @Test
  void replace_present_storesAndReturnsPrevious() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.replace(p, "a", shape("a", 2))).contains(shape("a", 1));

    assertThat(store.get(p, "a")).contains(shape("a", 2));
  }

  @Test
  void replace_absent_returnsEmptyAndWritesNothing() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");

    assertThat(store.replace(p, "a", shape("a", 2))).isEmpty();

    assertThat(store.get(p, "a")).isEmpty();
    assertThat(store.activeProjects()).doesNotContain(p);
  }

  @Test
  void replaceIfEquals_currentValueMatches_replaces() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.replace(p, "a", shape("a", 1), shape("a", 2))).isTrue();

    assertThat(store.get(p, "a")).contains(shape("a", 2));
  }

  @Test
  void replaceIfEquals_currentValueDiffersOrAbsent_returnsFalseAndKeepsValue() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.replace(p, "a", shape("a", 9), shape("a", 2))).isFalse();
    assertThat(store.replace(p, "b", shape("b", 1), shape("b", 2))).isFalse();

    assertThat(store.getAll(p)).containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
  }

  @Test
  void removeIfEquals_currentValueMatches_removes() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.remove(p, "a", shape("a", 1))).isTrue();

    assertThat(store.get(p, "a")).isEmpty();
  }

  @Test
  void removeIfEquals_currentValueDiffersOrAbsent_returnsFalseAndKeepsValue() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    assertThat(store.remove(p, "a", shape("a", 2))).isFalse();
    assertThat(store.remove(p, "b", shape("a", 1))).isFalse();

    assertThat(store.get(p, "a")).contains(shape("a", 1));
  }

  // ---- values are copied ----

  @Test
  void put_callerMutatesValueAfterwards_storedValueUnchanged() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    TestShape a = shape("a", 1);
    TestShape original = a.copy();

    store.put(p, "a", a);
    a.x = 99;
    a.tags.add("mutated");

    assertThat(store.get(p, "a")).contains(original);
  }

  @Test
  void putAll_callerMutatesMapAndValuesAfterwards_storedValuesUnchanged() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    TestShape a = shape("a", 1);
    Map<String, TestShape> batch = new HashMap<>(Map.of("a", a));

    store.putAll(p, batch);
    a.x = 99;
    batch.put("b", shape("b", 2));

    assertThat(store.getAll(p)).containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
  }

  @Test
  void get_callerMutatesResult_storedValueUnchanged() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    TestShape read = store.get(p, "a").orElseThrow();
    read.x = 99;
    read.tags.add("mutated");
    store.getAll(p).get("a").tags.add("mutated too");

    assertThat(store.get(p, "a")).contains(shape("a", 1));
    assertThat(store.get(p, "a").orElseThrow()).isNotSameAs(store.get(p, "a").orElseThrow());
  }

  // ---- codecs ----

  @Test
  void put_jacksonCodecOfTypeReference_roundTrips() {
    CanvasStore<Map<String, Object>> store = store(JacksonCodec.of(new TypeReference<>() {}));
    String p = newId("p");
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("name", "circle");
    value.put("radius", 12);
    value.put("points", List.of(1, 2, 3));
    value.put("style", Map.of("fill", "#ff0000"));

    store.put(p, "a", value);

    assertThat(store.get(p, "a")).contains(value);
  }

  @Test
  void put_jacksonCodecOfGenericList_roundTrips() {
    CanvasStore<List<TestShape>> store = store(JacksonCodec.of(new TypeReference<>() {}));
    String p = newId("p");
    List<TestShape> group = List.of(shape("a", 1), shape("b", 2));

    store.put(p, "group", group);

    assertThat(store.get(p, "group")).contains(group);
  }

  @Test
  void put_jacksonJsonCodec_roundTripsAnyDocument() {
    CanvasStore<JsonNode> store = store(JacksonCodec.json());
    String p = newId("p");
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.put("type", "text");
    doc.put("content", "h\u00e9llo \u2603 \"quoted\"");
    doc.putArray("xs").add(1.5).add(-2);
    doc.putNull("parent");

    store.put(p, "a", doc);

    assertThat(store.get(p, "a")).contains(doc);
  }

  @Test
  void put_stringCodec_storesTheJsonUntouched() {
    CanvasStore<String> store = store(Codec.string());
    String p = newId("p");
    String json = "{ \"id\" : \"a\",  \"x\": 1 }";

    store.put(p, "a", json);

    assertThat(store.get(p, "a")).contains(json);
    assertThat(store.getAll(p)).containsExactlyEntriesOf(Map.of("a", json));
  }

  @Test
  void put_bytesCodec_copiesArraysInAndOut() {
    CanvasStore<byte[]> store = store(Codec.bytes());
    String p = newId("p");
    byte[] value = "{\"x\":1}".getBytes(UTF_8);

    store.put(p, "a", value);
    value[0] = '[';
    byte[] read = store.get(p, "a").orElseThrow();
    read[1] = '!';

    assertThat(store.get(p, "a").orElseThrow()).isEqualTo("{\"x\":1}".getBytes(UTF_8));
  }

  @Test
  void get_jsonWrittenByAnotherClient_decodes() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    writeEncoded(store, p, "b",
        "{\n  \"y\" : 4,\n  \"x\" : 2,\n  \"id\" : \"b\",\n  \"tags\" : [ \"t\" ]\n}".getBytes(UTF_8));

    TestShape expected = shape("b", 2);
    expected.tags.add("t");
    assertThat(store.get(p, "b")).contains(expected);
  }

  // ---- the equality rule of replace and remove(k, v) ----

  @Test
  void replaceIfEquals_storedJsonWithOtherSpacingAndOrder_matchesEqualValue() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    writeEncoded(store, p, "b",
        "{ \"y\" : 4 , \"kind\":\"rect\", \"x\" :2, \"tags\":[ ], \"id\" : \"b\" }".getBytes(UTF_8));

    assertThat(store.replace(p, "b", shape("b", 3), shape("b", 5))).isFalse();
    assertThat(store.replace(p, "b", shape("b", 2), shape("b", 5))).isTrue();

    assertThat(store.get(p, "b")).contains(shape("b", 5));
  }

  @Test
  void removeIfEquals_storedJsonWithOtherSpacingAndOrder_matchesEqualValue() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    writeEncoded(store, p, "b", "{\"id\":\"b\",\"y\":4,\"x\":2}".getBytes(UTF_8));

    assertThat(store.remove(p, "b", shape("b", 3))).isFalse();
    assertThat(store.remove(p, "b", shape("b", 2))).isTrue();

    assertThat(store.get(p, "b")).isEmpty();
  }

  @Test
  void replaceIfEquals_rawStringCodec_comparesByteForByte() {
    CanvasStore<String> store = store(Codec.string());
    String p = newId("p");
    store.put(p, "a", "{\"x\": 1}");

    assertThat(store.replace(p, "a", "{\"x\":1}", "{\"x\":2}")).isFalse();
    assertThat(store.remove(p, "a", "{\"x\":1}")).isFalse();
    assertThat(store.replace(p, "a", "{\"x\": 1}", "{\"x\":2}")).isTrue();

    assertThat(store.get(p, "a")).contains("{\"x\":2}");
  }

  // ---- undecodable stored values ----

  @Test
  void get_undecodableStoredValue_throwsCodecExceptionNamingTheKey() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    writeEncoded(store, p, "bad", "{\"id\": \"bad\", \"x\": oops".getBytes(UTF_8));

    assertThatThrownBy(() -> store.get(p, "bad"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(p)
        .hasMessageContaining("\"bad\"");
    assertThat(store.get(p, "a")).contains(shape("a", 1));
  }

  @Test
  void getAll_undecodableStoredValue_returnsTheRestAndKeepsIt() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    store.put(p, "b", shape("b", 2));
    writeEncoded(store, p, "bad", "not json at all".getBytes(UTF_8));

    assertThat(store.getAll(p))
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", shape("a", 1), "b", shape("b", 2)));

    assertThat(store.count(p)).isEqualTo(3);
    assertThat(store.ids(p)).contains("bad");
    assertThatThrownBy(() -> store.get(p, "bad")).isInstanceOf(CodecException.class);
  }

  @Test
  void replaceIfEquals_undecodableStoredValue_neverMatches() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    writeEncoded(store, p, "bad", "{\"id\":".getBytes(UTF_8));

    assertThat(store.replace(p, "bad", shape("bad", 0), shape("bad", 1))).isFalse();
    assertThat(store.remove(p, "bad", shape("bad", 0))).isFalse();

    assertThatThrownBy(() -> store.get(p, "bad")).isInstanceOf(CodecException.class);
  }

  @Test
  void put_overUndecodableStoredValue_replacesIt() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    writeEncoded(store, p, "bad", "[1, 2".getBytes(UTF_8));

    store.put(p, "bad", shape("bad", 7));

    assertThat(store.get(p, "bad")).contains(shape("bad", 7));
    assertThat(store.remove(p, "bad")).isTrue();
  }

  // ---- bad input ----

  static Stream<Arguments> badIds() {
    return Stream.of(
        Arguments.of("", "must not be empty"),
        Arguments.of("x".repeat(513), "513"),
        Arguments.of("a{b", "\"a{b\""),
        Arguments.of("a}b", "\"a}b\""),
        Arguments.of("a:b", "\"a:b\""),
        Arguments.of("p}:objects", "\"p}:objects\""),
        Arguments.of("a b", "\"a b\""),
        Arguments.of(" a", "\" a\""),
        Arguments.of("a\u00a0b", "\"a\u00a0b\""),
        Arguments.of("a\tb", "\"a\\u0009b\""),
        Arguments.of("a\nb", "\"a\\u000ab\""),
        Arguments.of("a\u0000b", "\"a\\u0000b\""),
        Arguments.of("a\u007fb", "\"a\\u007fb\""),
        Arguments.of("a\ud800b", "\"a\\ud800b\""));
  }

  @ParameterizedTest
  @MethodSource("badIds")
  void everyOperation_badProjectId_throwsIllegalArgumentNamingItAndWritesNothing(
      String bad, String shown) {
    CanvasStore<TestShape> store = shapes();
    TestShape v = shape("a", 1);
    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("get", () -> store.get(bad, "a"));
    calls.put("put", () -> store.put(bad, "a", v));
    calls.put("putAll", () -> store.putAll(bad, Map.of("a", v)));
    calls.put("remove", () -> store.remove(bad, "a"));
    calls.put("getAll", () -> store.getAll(bad));
    calls.put("ids", () -> store.ids(bad));
    calls.put("count", () -> store.count(bad));
    calls.put("clear", () -> store.clear(bad));
    calls.put("putIfAbsent", () -> store.putIfAbsent(bad, "a", v));
    calls.put("getAndPut", () -> store.getAndPut(bad, "a", v));
    calls.put("getAndRemove", () -> store.getAndRemove(bad, "a"));
    calls.put("replace", () -> store.replace(bad, "a", v));
    calls.put("replaceIfEquals", () -> store.replace(bad, "a", v, v));
    calls.put("removeIfEquals", () -> store.remove(bad, "a", v));
    calls.put("asMap", () -> store.asMap(bad));

    calls.forEach((name, call) -> assertThatThrownBy(call)
        .as(name)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("projectId")
        .hasMessageContaining(shown));
    assertThat(store.activeProjects()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("badIds")
  void everyOperation_badObjectId_throwsIllegalArgumentNamingItAndWritesNothing(
      String bad, String shown) {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    TestShape v = shape("a", 1);
    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("get", () -> store.get(p, bad));
    calls.put("put", () -> store.put(p, bad, v));
    calls.put("putAll", () -> store.putAll(p, Map.of("ok", v, bad, v)));
    calls.put("remove", () -> store.remove(p, bad));
    calls.put("putIfAbsent", () -> store.putIfAbsent(p, bad, v));
    calls.put("getAndPut", () -> store.getAndPut(p, bad, v));
    calls.put("getAndRemove", () -> store.getAndRemove(p, bad));
    calls.put("replace", () -> store.replace(p, bad, v));
    calls.put("replaceIfEquals", () -> store.replace(p, bad, v, v));
    calls.put("removeIfEquals", () -> store.remove(p, bad, v));
    calls.put("asMap.put", () -> store.asMap(p).put(bad, v));

    calls.forEach((name, call) -> assertThatThrownBy(call)
        .as(name)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("objectId")
        .hasMessageContaining(shown));
    assertThat(store.count(p)).isZero();
    assertThat(store.activeProjects()).isEmpty();
  }

  @Test
  void everyOperation_nullArgument_throwsNullPointerAndWritesNothing() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    TestShape v = shape("a", 1);
    Map<String, TestShape> nullValue = new HashMap<>();
    nullValue.put("ok", v);
    nullValue.put("a", null);
    Map<String, TestShape> nullKey = new HashMap<>();
    nullKey.put("ok", v);
    nullKey.put(null, v);
    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("get(null, o)", () -> store.get(null, "a"));
    calls.put("get(p, null)", () -> store.get(p, null));
    calls.put("put(null, o, v)", () -> store.put(null, "a", v));
    calls.put("put(p, null, v)", () -> store.put(p, null, v));
    calls.put("put(p, o, null)", () -> store.put(p, "a", null));
    calls.put("putAll(null, m)", () -> store.putAll(null, Map.of("a", v)));
    calls.put("putAll(p, null)", () -> store.putAll(p, null));
    calls.put("putAll(p, null value)", () -> store.putAll(p, nullValue));
    calls.put("putAll(p, null key)", () -> store.putAll(p, nullKey));
    calls.put("remove(null, o)", () -> store.remove(null, "a"));
    calls.put("remove(p, null)", () -> store.remove(p, null));
    calls.put("getAll(null)", () -> store.getAll(null));
    calls.put("ids(null)", () -> store.ids(null));
    calls.put("count(null)", () -> store.count(null));
    calls.put("clear(null)", () -> store.clear(null));
    calls.put("putIfAbsent(p, o, null)", () -> store.putIfAbsent(p, "a", null));
    calls.put("getAndPut(p, o, null)", () -> store.getAndPut(p, "a", null));
    calls.put("getAndRemove(p, null)", () -> store.getAndRemove(p, null));
    calls.put("replace(p, o, null)", () -> store.replace(p, "a", null));
    calls.put("replace(p, o, null, v)", () -> store.replace(p, "a", null, v));
    calls.put("replace(p, o, v, null)", () -> store.replace(p, "a", v, null));
    calls.put("remove(p, o, null)", () -> store.remove(p, "a", null));
    calls.put("asMap(null)", () -> store.asMap(null));

    calls.forEach((name, call) ->
        assertThatThrownBy(call).as(name).isInstanceOf(NullPointerException.class));
    assertThat(store.activeProjects()).isEmpty();
  }

  @Test
  void put_valueOverSizeLimit_throwsIllegalArgumentNamingObjectAndSizeAndWritesNothing() {
    int limit = 200;
    CanvasStore<TestShape> store =
        closeAfterTest(newCanvasStore(SHAPES, TtlPolicy.DEFAULT, limit));
    String p = newId("p");
    store.put(p, "small", shape("small", 1));
    TestShape big = shape("big", 1);
    big.tags.add("t".repeat(300));
    int size = SHAPES.encode(big).length;
    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("put", () -> store.put(p, "big", big));
    calls.put("putAll", () -> store.putAll(p, Map.of("other", shape("other", 1), "big", big)));
    calls.put("putIfAbsent", () -> store.putIfAbsent(p, "big", big));
    calls.put("getAndPut", () -> store.getAndPut(p, "big", big));
    calls.put("replace", () -> store.replace(p, "big", big));

    calls.forEach((name, call) -> assertThatThrownBy(call)
        .as(name)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"big\"")
        .hasMessageContaining(String.valueOf(size))
        .hasMessageContaining(String.valueOf(limit)));
    assertThatThrownBy(() -> store.put(p, "small", big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"small\"")
        .hasMessageContaining(String.valueOf(size));
    assertThat(store.getAll(p)).containsExactlyEntriesOf(Map.of("small", shape("small", 1)));
  }

  @Test
  void put_valueExactlyAtSizeLimit_isAccepted() {
    CanvasStore<String> store = closeAfterTest(newCanvasStore(Codec.string(), TtlPolicy.DEFAULT, 16));
    String p = newId("p");

    store.put(p, "a", "x".repeat(16));

    assertThat(store.get(p, "a")).contains("x".repeat(16));
    assertThatThrownBy(() -> store.put(p, "a", "y".repeat(17)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"a\"")
        .hasMessageContaining("17");
    assertThat(store.get(p, "a")).contains("x".repeat(16));
  }

  // ---- lifetimes ----

  /**
   * The lifetime tests, for stores whose projects expire. A {@link Capability#DURABLE} store
   * brings an expired project back from its repository, so for it these tests do not exist
   * (rather than being skipped); the persistence tests check its lifetimes instead.
   */
  @TestFactory
  Stream<DynamicTest> lifetimes_storeWhoseProjectsExpire() {
    if (has(Capability.DURABLE)) {
      return Stream.empty();
    }
    return Stream.concat(
        Stream.of(
            dynamicTest("everyRead_afterCanvasTtlWithoutAccess_projectExpiredAsAWhole",
                this::everyRead_afterCanvasTtlWithoutAccess_projectExpiredAsAWhole),
            dynamicTest("activeProjects_oneProjectUntouchedForCanvasTtl_reportsOnlyTheOther",
                this::activeProjects_oneProjectUntouchedForCanvasTtl_reportsOnlyTheOther),
            dynamicTest("put_afterProjectExpired_startsAnEmptyProject",
                this::put_afterProjectExpired_startsAnEmptyProject)),
        touches().map(touch -> dynamicTest(
            "touch_withinCanvasTtl_slidesTheProjectsLifetime[" + touch + "]",
            () -> touch_withinCanvasTtl_slidesTheProjectsLifetime(touch))));
  }

  private void everyRead_afterCanvasTtlWithoutAccess_projectExpiredAsAWhole() {
    CanvasStore<TestShape> store = shortLivedShapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    store.put(p, "b", shape("b", 2));

    elapse(canvasTtl(15));

    assertThat(store.activeProjects()).doesNotContain(p);
    assertThat(store.get(p, "a")).isEmpty();
    assertThat(store.getAll(p)).isEmpty();
    assertThat(store.count(p)).isZero();
    assertThat(store.ids(p)).isEmpty();
  }

  /** An operation on a project that must start its lifetime again. */
  private record Touch(String name, BiConsumer<CanvasStore<TestShape>, String> op) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Touch> touches() {
    return Stream.of(
        new Touch("get", (s, p) -> s.get(p, "a")),
        new Touch("get of a missing object", (s, p) -> s.get(p, "missing")),
        new Touch("getAll", (s, p) -> s.getAll(p)),
        new Touch("ids", (s, p) -> s.ids(p)),
        new Touch("count", (s, p) -> s.count(p)),
        new Touch("put of another object", (s, p) -> s.put(p, "b", shape("b", 2))),
        new Touch("remove of a missing object", (s, p) -> s.remove(p, "missing")),
        new Touch("replace of a missing object", (s, p) -> s.replace(p, "missing", shape("m", 1))));
  }

  private void touch_withinCanvasTtl_slidesTheProjectsLifetime(Touch touch) {
    CanvasStore<TestShape> store = shortLivedShapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));

    elapse(canvasTtl(6));
    touch.op().accept(store, p);
    elapse(canvasTtl(6));

    assertThat(store.activeProjects()).containsExactly(p);
    assertThat(store.get(p, "a")).as("after %s", touch).contains(shape("a", 1));
  }

  private void activeProjects_oneProjectUntouchedForCanvasTtl_reportsOnlyTheOther() {
    CanvasStore<TestShape> store = shortLivedShapes();
    String old = newId("p");
    String fresh = newId("p");
    store.put(old, "a", shape("a", 1));

    elapse(canvasTtl(6));
    store.put(fresh, "a", shape("a", 1));
    elapse(canvasTtl(6));

    assertThat(store.activeProjects()).containsExactly(fresh);
    assertThat(store.getAll(old)).isEmpty();
    assertThat(store.getAll(fresh)).containsOnlyKeys("a");
  }

  private void put_afterProjectExpired_startsAnEmptyProject() {
    CanvasStore<TestShape> store = shortLivedShapes();
    String p = newId("p");
    store.put(p, "a", shape("a", 1));
    elapse(canvasTtl(15));

    store.put(p, "b", shape("b", 2));

    assertThat(store.getAll(p)).containsExactlyEntriesOf(Map.of("b", shape("b", 2)));
    assertThat(store.activeProjects()).containsExactly(p);
  }

  // ---- keys of the wrong type ----

  /**
   * For stores with {@link Capability#TYPED_KEYS}; a store whose keys have no type (in memory)
   * has no such test, rather than a skipped one.
   */
  @TestFactory
  Stream<DynamicTest> wrongTypeKeys_storeWithTypedKeys() {
    if (!has(Capability.TYPED_KEYS)) {
      return Stream.empty();
    }
    return Stream.of(dynamicTest(
        "everyOperation_projectKeyOfWrongType_throwsStoreExceptionNamingKeyAndSparesOthers",
        this::everyOperation_projectKeyOfWrongType_throwsStoreExceptionNamingKeyAndSparesOthers));
  }

  private void everyOperation_projectKeyOfWrongType_throwsStoreExceptionNamingKeyAndSparesOthers() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    String q = newId("p");
    store.put(p, "a", shape("a", 1));
    store.put(q, "a", shape("a", 1));
    plantWrongType(store, p);
    TestShape v = shape("a", 2);
    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("get", () -> store.get(p, "a"));
    calls.put("put", () -> store.put(p, "a", v));
    calls.put("putAll", () -> store.putAll(p, Map.of("a", v)));
    calls.put("getAll", () -> store.getAll(p));
    calls.put("count", () -> store.count(p));
    calls.put("ids", () -> store.ids(p));
    calls.put("getAndPut", () -> store.getAndPut(p, "a", v));
    calls.put("replaceIfEquals", () -> store.replace(p, "a", v, v));

    calls.forEach((name, call) -> {
      Throwable thrown = catchThrowable(call);
      assertThat(thrown).as(name).isInstanceOf(StoreException.class).hasMessageContaining(p);
      assertThat(thrown).as(name + " is not an outage")
          .isNotInstanceOf(StoreUnavailableException.class)
          .isNotInstanceOf(CodecException.class);
    });
    assertThat(store.getAll(q)).containsExactlyEntriesOf(Map.of("a", shape("a", 1)));
    store.put(q, "b", v);
    assertThat(store.count(q)).isEqualTo(2);
  }

  // ---- concurrency ----

  @Test
  void put_manyThreadsOnSameAndOwnObjects_endsInTheLastWrites() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    int ownObjects = 25;

    concurrently(THREADS, t -> {
      for (int i = 0; i < OPS_PER_THREAD; i++) {
        store.put(p, "t" + t + "-" + (i % ownObjects), shape("t" + t, i));
        store.put(p, "shared", shape("t" + t, i));
      }
    });

    Map<String, TestShape> expected = new HashMap<>();
    Set<TestShape> lastShared = new HashSet<>();
    for (int t = 0; t < THREADS; t++) {
      for (int k = 0; k < ownObjects; k++) {
        expected.put("t" + t + "-" + k, shape("t" + t, OPS_PER_THREAD - ownObjects + k));
      }
      lastShared.add(shape("t" + t, OPS_PER_THREAD - 1));
    }
    Map<String, TestShape> all = new HashMap<>(store.getAll(p));
    assertThat(lastShared).contains(all.remove("shared"));
    assertThat(all).isEqualTo(expected);
    assertThat(store.count(p)).isEqualTo(THREADS * ownObjects + 1);
  }

  @Test
  void putIfAbsent_manyThreadsRacing_exactlyOneWinnerPerObject() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    int rounds = OPS_PER_THREAD / 5;
    Map<Integer, Set<Integer>> winners = new ConcurrentHashMap<>();
    Map<Integer, Set<TestShape>> seenByLosers = new ConcurrentHashMap<>();

    concurrently(THREADS, t -> {
      for (int r = 0; r < rounds; r++) {
        Optional<TestShape> current = store.putIfAbsent(p, "race-" + r, shape("t" + t, r));
        if (current.isEmpty()) {
          winners.computeIfAbsent(r, k -> ConcurrentHashMap.newKeySet()).add(t);
        } else {
          seenByLosers.computeIfAbsent(r, k -> ConcurrentHashMap.newKeySet()).add(current.get());
        }
      }
    });

    for (int r = 0; r < rounds; r++) {
      assertThat(winners.get(r)).as("winners of round %d", r).hasSize(1);
      TestShape won = shape("t" + winners.get(r).iterator().next(), r);
      assertThat(store.get(p, "race-" + r)).contains(won);
      assertThat(seenByLosers.get(r)).as("what the losers of round %d saw", r).containsOnly(won);
    }
  }

  @Test
  void getAndPut_manyThreadsSwapping_everyValueSeenExactlyOnce() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    ConcurrentLinkedQueue<TestShape> previous = new ConcurrentLinkedQueue<>();

    concurrently(THREADS, t -> {
      for (int i = 0; i < OPS_PER_THREAD; i++) {
        store.getAndPut(p, "swap", shape("t" + t, i)).ifPresent(previous::add);
      }
    });

    List<TestShape> seen = new ArrayList<>(previous);
    seen.add(store.get(p, "swap").orElseThrow());
    List<TestShape> written = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      for (int i = 0; i < OPS_PER_THREAD; i++) {
        written.add(shape("t" + t, i));
      }
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(written);
  }

  @Test
  void getAndRemove_manyThreadsRacing_eachObjectRemovedOnce() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    int objects = OPS_PER_THREAD / 2;
    Map<String, TestShape> all = new HashMap<>();
    for (int i = 0; i < objects; i++) {
      all.put("o" + i, shape("o" + i, i));
    }
    store.putAll(p, all);
    ConcurrentLinkedQueue<TestShape> removed = new ConcurrentLinkedQueue<>();
    AtomicInteger removals = new AtomicInteger();

    concurrently(THREADS, t -> {
      for (int i = 0; i < objects; i++) {
        String id = "o" + ((i + t * 31) % objects);
        if (t % 2 == 0) {
          store.getAndRemove(p, id).ifPresent(removed::add);
        } else if (store.remove(p, id)) {
          removals.incrementAndGet();
        }
      }
    });

    assertThat(removed.size() + removals.get()).isEqualTo(objects);
    assertThat(removed).doesNotHaveDuplicates();
    assertThat(all.values()).containsAll(removed);
    assertThat(store.count(p)).isZero();
    assertThat(store.activeProjects()).doesNotContain(p);
  }

  @Test
  void getAll_whileAnotherThreadRewritesThePairTogether_alwaysSeesAConsistentPair() {
    CanvasStore<TestShape> store = shapes();
    String p = newId("p");
    store.putAll(p, Map.of("left", shape("left", 0), "right", shape("right", 0)));

    concurrently(3, t -> {
      for (int i = 1; i <= OPS_PER_THREAD; i++) {
        if (t == 0) {
          store.putAll(p, Map.of("left", shape("left", i), "right", shape("right", i)));
        } else {
          Map<String, TestShape> snapshot = store.getAll(p);
          assertThat(snapshot.get("left").x).as("snapshot %s", snapshot)
              .isEqualTo(snapshot.get("right").x);
        }
      }
    });

    assertThat(store.get(p, "left")).contains(shape("left", OPS_PER_THREAD));
  }
}
