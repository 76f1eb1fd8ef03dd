package io.canvasstate.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.JacksonCodec;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link CanvasStore#asMap}: the view honours the whole
 * {@link ConcurrentMap} contract, as {@link ConcurrentHashMap} does, and writes through to the
 * store.
 *
 * <p>A store's test extends this class and supplies {@link #newCanvasStore}.
 */
public abstract class CanvasMapContract extends ContractSupport {

  /**
   * Returns a new store, empty and sharing no state with any other store this factory returned.
   * The suite closes it after the test.
   */
  protected abstract <T> CanvasStore<T> newCanvasStore(
      Codec<T> codec, TtlPolicy ttl, int maxValueBytes);

  private CanvasStore<String> store;
  private String project = "";

  /** A store of strings and the view of a fresh project in it. */
  private ConcurrentMap<String, String> map() {
    store = closeAfterTest(
        newCanvasStore(Codec.string(), TtlPolicy.DEFAULT, StoreConfig.DEFAULT_MAX_VALUE_BYTES));
    project = newId("p");
    return store.asMap(project);
  }

  /** A view of counters. */
  private ConcurrentMap<String, Integer> counters() {
    CanvasStore<Integer> counters = closeAfterTest(newCanvasStore(
        JacksonCodec.of(Integer.class), TtlPolicy.DEFAULT, StoreConfig.DEFAULT_MAX_VALUE_BYTES));
    return counters.asMap(newId("p"));
  }

  /** A view holding a=1, b=2, c=3. */
  private ConcurrentMap<String, String> abc() {
    ConcurrentMap<String, String> map = map();
    map.put("a", "1");
    map.put("b", "2");
    map.put("c", "3");
    return map;
  }

  private static Map<String, String> hashMap(String... keysAndValues) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  // ---- Map basics ----

  @Test
  void put_newThenExistingKey_returnsNullThenPrevious() {
    ConcurrentMap<String, String> map = map();

    assertThat(map.put("a", "1")).isNull();
    assertThat(map.put("a", "2")).isEqualTo("1");

    assertThat(map.get("a")).isEqualTo("2");
  }

  @Test
  void get_missingOrInvalidOrNonStringKey_returnsNull() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.get("z")).isNull();
    assertThat(map.get("a:b")).isNull();
    assertThat(map.get("")).isNull();
    assertThat(map.get(7)).isNull();
    assertThat(map.containsKey("a}")).isFalse();
  }

  @Test
  void containsKeyAndContainsValue_afterPuts_reflectContent() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.containsKey("a")).isTrue();
    assertThat(map.containsKey("z")).isFalse();
    assertThat(map.containsValue("2")).isTrue();
    assertThat(map.containsValue("9")).isFalse();
  }

  @Test
  void sizeAndIsEmpty_asEntriesComeAndGo_countEntries() {
    ConcurrentMap<String, String> map = map();
    assertThat(map.isEmpty()).isTrue();
    assertThat(map.size()).isZero();

    map.put("a", "1");
    map.put("b", "2");
    assertThat(map.size()).isEqualTo(2);
    assertThat(map.isEmpty()).isFalse();

    map.remove("a");
    assertThat(map.size()).isEqualTo(1);
  }

  @Test
  void remove_presentAndMissingKey_returnsPreviousOrNull() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.remove("a")).isEqualTo("1");
    assertThat(map.remove("a")).isNull();
    assertThat(map.remove("a:b")).isNull();

    assertThat(map).isEqualTo(hashMap("b", "2", "c", "3"));
  }

  @Test
  void clear_nonEmptyMap_removesEverything() {
    ConcurrentMap<String, String> map = abc();

    map.clear();

    assertThat(map).isEmpty();
    assertThat(store.count(project)).isZero();
  }

  @Test
  void putAll_someEntries_storesThem() {
    ConcurrentMap<String, String> map = map();
    map.put("a", "0");

    map.putAll(hashMap("a", "1", "b", "2"));

    assertThat(map).isEqualTo(hashMap("a", "1", "b", "2"));
  }

  @Test
  void getOrDefault_presentAndMissingKey_returnsValueOrDefault() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.getOrDefault("a", "x")).isEqualTo("1");
    assertThat(map.getOrDefault("z", "x")).isEqualTo("x");
    assertThat(map.getOrDefault("a:b", "x")).isEqualTo("x");
  }

  // ---- the view is live and writes through ----

  @Test
  void asMap_storeAndViewWrites_areVisibleBothWays() {
    ConcurrentMap<String, String> map = map();
    ConcurrentMap<String, String> second = store.asMap(project);

    store.put(project, "a", "1");
    map.put("b", "2");

    assertThat(map.get("a")).isEqualTo("1");
    assertThat(store.get(project, "b")).contains("2");
    assertThat(second).isEqualTo(hashMap("a", "1", "b", "2"));
  }

  @Test
  void keySet_takenBeforeWrites_reflectsThem() {
    ConcurrentMap<String, String> map = map();
    Set<String> keys = map.keySet();
    assertThat(keys).isEmpty();

    map.put("a", "1");
    store.put(project, "b", "2");

    assertThat(keys).containsExactlyInAnyOrder("a", "b");
    assertThat(map.values()).containsExactlyInAnyOrder("1", "2");
  }

  // ---- ConcurrentMap's conditional operations ----

  @Test
  void putIfAbsent_absentThenPresent_storesOnceAndReturnsCurrent() {
    ConcurrentMap<String, String> map = map();

    assertThat(map.putIfAbsent("a", "1")).isNull();
    assertThat(map.putIfAbsent("a", "2")).isEqualTo("1");

    assertThat(map.get("a")).isEqualTo("1");
  }

  @Test
  void replace_presentAndAbsentKey_replacesOnlyPresent() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.replace("a", "10")).isEqualTo("1");
    assertThat(map.replace("z", "10")).isNull();

    assertThat(map).isEqualTo(hashMap("a", "10", "b", "2", "c", "3"));
  }

  @Test
  void replaceIfEquals_matchingAndOtherOldValue_replacesOnlyOnMatch() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.replace("a", "9", "10")).isFalse();
    assertThat(map.replace("a", "1", "10")).isTrue();
    assertThat(map.replace("z", "1", "10")).isFalse();

    assertThat(map).isEqualTo(hashMap("a", "10", "b", "2", "c", "3"));
  }

  @Test
  void removeIfEquals_matchingOtherAndWrongTypeValue_removesOnlyOnMatch() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.remove("a", "9")).isFalse();
    assertThat(map.remove("a", (Object) 1)).isFalse();
    assertThat(map.remove("a", null)).isFalse();
    assertThat(map.remove("a:b", "1")).isFalse();
    assertThat(map.remove("a", "1")).isTrue();

    assertThat(map).isEqualTo(hashMap("b", "2", "c", "3"));
  }

  // ---- compute and merge ----

  @Test
  void compute_absentPresentAndNullResult_insertsUpdatesAndRemoves() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.compute("z", (k, v) -> v == null ? "new" : v + "!")).isEqualTo("new");
    assertThat(map.compute("a", (k, v) -> v + "!")).isEqualTo("1!");
    assertThat(map.compute("b", (k, v) -> null)).isNull();
    assertThat(map.compute("y", (k, v) -> null)).isNull();

    assertThat(map).isEqualTo(hashMap("a", "1!", "c", "3", "z", "new"));
  }

  @Test
  void computeIfAbsent_absentAndPresentKey_computesOnlyWhenAbsent() {
    ConcurrentMap<String, String> map = abc();
    AtomicInteger calls = new AtomicInteger();

    assertThat(map.computeIfAbsent("a", k -> "x" + calls.incrementAndGet())).isEqualTo("1");
    assertThat(calls).hasValue(0);
    assertThat(map.computeIfAbsent("z", k -> k + calls.incrementAndGet())).isEqualTo("z1");
    assertThat(map.computeIfAbsent("y", k -> null)).isNull();

    assertThat(map).isEqualTo(hashMap("a", "1", "b", "2", "c", "3", "z", "z1"));
  }

  @Test
  void computeIfPresent_presentAbsentAndNullResult_updatesOrRemovesOnlyPresent() {
    ConcurrentMap<String, String> map = abc();
    AtomicInteger calls = new AtomicInteger();

    assertThat(map.computeIfPresent("a", (k, v) -> v + k)).isEqualTo("1a");
    assertThat(map.computeIfPresent("z", (k, v) -> "x" + calls.incrementAndGet())).isNull();
    assertThat(calls).hasValue(0);
    assertThat(map.computeIfPresent("b", (k, v) -> null)).isNull();

    assertThat(map).isEqualTo(hashMap("a", "1a", "c", "3"));
  }

  @Test
  void merge_absentPresentAndNullResult_putsCombinesAndRemoves() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.merge("z", "9", String::concat)).isEqualTo("9");
    assertThat(map.merge("a", "9", String::concat)).isEqualTo("19");
    assertThat(map.merge("b", "9", (old, v) -> null)).isNull();

    assertThat(map).isEqualTo(hashMap("a", "19", "c", "3", "z", "9"));
  }

  @Test
  void forEach_someEntries_visitsEachOnce() {
    ConcurrentMap<String, String> map = abc();
    Map<String, String> seen = new HashMap<>();

    map.forEach((k, v) -> assertThat(seen.put(k, v)).isNull());

    assertThat(seen).isEqualTo(hashMap("a", "1", "b", "2", "c", "3"));
  }

  @Test
  void toString_emptyAndSomeEntries_printsLikeAMap() {
    ConcurrentMap<String, String> map = map();
    assertThat(map).hasToString("{}");
    map.put("a", "1");
    assertThat(map).hasToString("{a=1}");
    map.put("b", "2");

    // In the view's own iteration order, as AbstractMap and ConcurrentHashMap print.
    StringBuilder expected = new StringBuilder("{");
    map.forEach((k, v) -> expected.append(expected.length() > 1 ? ", " : "").append(k)
        .append('=').append(v));
    assertThat(map).hasToString(expected.append('}').toString());
  }

  @Test
  void replaceAll_someEntries_rewritesEveryValue() {
    ConcurrentMap<String, String> map = abc();

    map.replaceAll((k, v) -> k + v);

    assertThat(map).isEqualTo(hashMap("a", "a1", "b", "b2", "c", "c3"));
  }

  // ---- collection views and iterators ----

  @Test
  void views_someEntries_holdKeysValuesAndEntries() {
    ConcurrentMap<String, String> map = abc();

    assertThat(map.keySet()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(map.values()).containsExactlyInAnyOrder("1", "2", "3");
    assertThat(map.entrySet()).containsExactlyInAnyOrderElementsOf(hashMap(
        "a", "1", "b", "2", "c", "3").entrySet());
    assertThat(map.keySet()).hasSize(3);
    assertThat(map.entrySet().contains(Map.entry("a", "1"))).isTrue();
    assertThat(map.entrySet().contains(Map.entry("a", "2"))).isFalse();
    assertThat(map.keySet().contains("b")).isTrue();
  }

  @Test
  void viewRemovals_keySetValuesAndEntrySet_removeFromTheStore() {
    ConcurrentMap<String, String> map = abc();
    map.put("d", "4");

    assertThat(map.keySet().remove("a")).isTrue();
    assertThat(map.values().remove("2")).isTrue();
    assertThat(map.entrySet().remove(Map.entry("c", "9"))).isFalse();
    assertThat(map.entrySet().remove(Map.entry("c", "3"))).isTrue();

    assertThat(store.getAll(project)).isEqualTo(hashMap("d", "4"));
  }

  @Test
  void viewBulkOperations_removeIfAndRetainAll_removeFromTheStore() {
    ConcurrentMap<String, String> map = abc();
    map.put("d", "4");

    assertThat(map.keySet().removeIf(k -> k.equals("a"))).isTrue();
    assertThat(map.values().removeIf(v -> v.equals("2"))).isTrue();
    assertThat(map.keySet().retainAll(Set.of("c"))).isTrue();

    assertThat(store.getAll(project)).isEqualTo(hashMap("c", "3"));
  }

  @Test
  void iteratorRemove_afterNext_removesThatEntryFromTheStore() {
    ConcurrentMap<String, String> map = abc();

    for (Iterator<Map.Entry<String, String>> it = map.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getKey().equals("b")) {
        it.remove();
      }
    }

    assertThat(store.getAll(project)).isEqualTo(hashMap("a", "1", "c", "3"));
  }

  @Test
  void iteratorRemove_beforeNextOrTwice_throwsIllegalState() {
    ConcurrentMap<String, String> map = abc();
    Iterator<String> it = map.keySet().iterator();

    assertThatThrownBy(it::remove).isInstanceOf(IllegalStateException.class);
    it.next();
    it.remove();
    assertThatThrownBy(it::remove).isInstanceOf(IllegalStateException.class);

    assertThat(map).hasSize(2);
  }

  @Test
  void iteratorNext_pastTheEnd_throwsNoSuchElement() {
    ConcurrentMap<String, String> map = map();
    map.put("a", "1");
    Iterator<String> it = map.values().iterator();

    assertThat(it.next()).isEqualTo("1");
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void iterator_mapChangedDuringIteration_neverThrowsConcurrentModification() {
    ConcurrentMap<String, String> map = abc();
    List<String> seen = new ArrayList<>();

    for (String key : map.keySet()) {
      seen.add(key);
      map.put(key + "x", "new");
      map.remove("c");
    }

    assertThat(seen).hasSize(3).doesNotHaveDuplicates();
    assertThat(map).containsKeys("a", "b", "ax", "bx").doesNotContainKey("c");
  }

  @Test
  void entrySetValue_duringIteration_writesThrough() {
    ConcurrentMap<String, String> map = abc();

    Map<String, String> before = hashMap("a", "1", "b", "2", "c", "3");

    for (Map.Entry<String, String> e : map.entrySet()) {
      assertThat(e.setValue(e.getValue() + "0")).isEqualTo(before.get(e.getKey()));
      assertThat(e.getValue()).isEqualTo(before.get(e.getKey()) + "0");
    }

    assertThat(store.getAll(project)).isEqualTo(hashMap("a", "10", "b", "20", "c", "30"));
  }

  // ---- equals and hashCode ----

  @Test
  void equalsAndHashCode_sameContentAsHashMap_areEqualBothWays() {
    ConcurrentMap<String, String> map = abc();
    Map<String, String> same = hashMap("a", "1", "b", "2", "c", "3");

    assertThat(map.equals(same)).isTrue();
    assertThat(same.equals(map)).isTrue();
    assertThat(map.hashCode()).isEqualTo(same.hashCode());
    assertThat(map.entrySet()).isEqualTo(same.entrySet());
    assertThat(map.keySet()).isEqualTo(same.keySet());
    assertThat(map.equals(map)).isTrue();
  }

  @Test
  void equals_otherContent_isFalseBothWays() {
    ConcurrentMap<String, String> map = abc();
    Map<String, String> otherValue = hashMap("a", "1", "b", "2", "c", "4");
    Map<String, String> fewer = hashMap("a", "1", "b", "2");

    assertThat(map.equals(otherValue)).isFalse();
    assertThat(otherValue.equals(map)).isFalse();
    assertThat(map.equals(fewer)).isFalse();
    assertThat(fewer.equals(map)).isFalse();
    assertThat(map.equals(List.of())).isFalse();
  }

  // ---- bad input ----

  @Test
  void everyMethod_nullKeyOrValue_throwsNullPointerAndWritesNothing() {
    ConcurrentMap<String, String> map = map();
    map.put("a", "1");
    Map<String, String> withNullValue = new HashMap<>();
    withNullValue.put("b", null);
    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("get(null)", () -> map.get(null));
    calls.put("containsKey(null)", () -> map.containsKey(null));
    calls.put("put(null, v)", () -> map.put(null, "1"));
    calls.put("put(k, null)", () -> map.put("b", null));
    calls.put("putAll(null value)", () -> map.putAll(withNullValue));
    calls.put("remove(null)", () -> map.remove(null));
    calls.put("putIfAbsent(k, null)", () -> map.putIfAbsent("b", null));
    calls.put("putIfAbsent(null, v)", () -> map.putIfAbsent(null, "1"));
    calls.put("replace(k, null)", () -> map.replace("a", null));
    calls.put("replace(null, v)", () -> map.replace(null, "1"));
    calls.put("replace(k, null, v)", () -> map.replace("a", null, "2"));
    calls.put("replace(k, v, null)", () -> map.replace("a", "1", null));
    calls.put("compute(null, f)", () -> map.compute(null, (k, v) -> "1"));
    calls.put("computeIfAbsent(null, f)", () -> map.computeIfAbsent(null, k -> "1"));
    calls.put("merge(k, null, f)", () -> map.merge("a", null, String::concat));
    calls.put("merge(null, v, f)", () -> map.merge(null, "1", String::concat));
    calls.put("getOrDefault(null, d)", () -> map.getOrDefault(null, "x"));

    calls.forEach((name, call) ->
        assertThatThrownBy(call).as(name).isInstanceOf(NullPointerException.class));
    assertThat(store.getAll(project)).isEqualTo(hashMap("a", "1"));
  }

  @Test
  void put_invalidKey_throwsIllegalArgumentNamingIt() {
    ConcurrentMap<String, String> map = map();

    assertThatThrownBy(() -> map.put("a:b", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"a:b\"");
    assertThatThrownBy(() -> map.putIfAbsent("a{", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"a{\"");

    assertThat(map).isEmpty();
  }

  // ---- atomicity under threads ----

  @Test
  void merge_manyThreadsIncrementing_sumsExactly() {
    ConcurrentMap<String, Integer> map = counters();

    concurrently(THREADS, t -> {
      for (int i = 0; i < OPS_PER_THREAD; i++) {
        map.merge("count", 1, Integer::sum);
        map.merge("t" + t, 1, Integer::sum);
      }
    });

    assertThat(map.get("count")).isEqualTo(THREADS * OPS_PER_THREAD);
    for (int t = 0; t < THREADS; t++) {
      assertThat(map.get("t" + t)).isEqualTo(OPS_PER_THREAD);
    }
  }

  @Test
  void compute_manyThreadsIncrementing_sumsExactly() {
    ConcurrentMap<String, Integer> map = counters();

    concurrently(THREADS, t -> {
      for (int i = 0; i < OPS_PER_THREAD; i++) {
        map.compute("count", (k, v) -> v == null ? 1 : v + 1);
      }
    });

    assertThat(map.get("count")).isEqualTo(THREADS * OPS_PER_THREAD);
  }

  @Test
  void computeIfAbsentAndPutIfAbsent_manyThreadsRacing_allSeeOneWinner() {
    ConcurrentMap<String, Integer> map = counters();
    int keys = OPS_PER_THREAD / 10;
    Map<String, Set<Integer>> seen = new ConcurrentHashMap<>();

    concurrently(THREADS, t -> {
      for (int i = 0; i < keys; i++) {
        String key = "k" + i;
        Integer value = t % 2 == 0
            ? map.computeIfAbsent(key, k -> t)
            : putIfAbsentResult(map, key, t);
        seen.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(value);
      }
    });

    for (int i = 0; i < keys; i++) {
      String key = "k" + i;
      assertThat(seen.get(key)).as(key).containsExactly(map.get(key));
    }
  }

  private static Integer putIfAbsentResult(ConcurrentMap<String, Integer> map, String key, int t) {
    Integer current = map.putIfAbsent(key, t);
    return current == null ? t : current;
  }

  @Test
  void replaceIfEqualsAndRemoveIfEquals_manyThreads_neverLoseAnUpdate() {
    ConcurrentMap<String, Integer> map = counters();
    map.put("n", 0);
    AtomicInteger removed = new AtomicInteger();

    concurrently(THREADS, t -> {
      for (int i = 0; i < OPS_PER_THREAD / 2; i++) {
        while (true) {
          Integer v = map.get("n");
          if (v != null && map.replace("n", v, v + 1)) {
            break;
          }
        }
      }
    });
    concurrently(THREADS, t -> {
      if (map.remove("n", THREADS * OPS_PER_THREAD / 2)) {
        removed.incrementAndGet();
      }
    });

    assertThat(removed).hasValue(1);
    assertThat(map).isEmpty();
  }
}
