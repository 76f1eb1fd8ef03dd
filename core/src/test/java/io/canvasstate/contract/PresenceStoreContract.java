package io.canvasstate.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.JacksonCodec;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of {@link PresenceStore}: what every implementation does, observed through the
 * public API only.
 *
 * <p>A store's test extends this class and supplies {@link #newPresenceStore}, {@link #elapse}
 * and {@link #writeEncoded}; it may override {@link #shortTtl()} and {@link #capabilities()}.
 */
public abstract class PresenceStoreContract extends ContractSupport {

  /**
   * Returns a new store, empty and sharing no state with any other store this factory returned.
   * The suite closes it after the test.
   *
   * @param codec the codec of the store's values
   * @param ttl the lifetimes to apply
   * @param maxValueBytes the largest encoded value the store must accept
   */
  protected abstract <P> PresenceStore<P> newPresenceStore(
      Codec<P> codec, TtlPolicy ttl, int maxValueBytes);

  /**
   * Lets {@code duration} pass for the stores of the current test: advances a manual clock, or
   * sleeps at least that long.
   */
  protected abstract void elapse(Duration duration);

  /**
   * Stores {@code bytes} as a user's presence in {@code store}, as another client would:
   * bypassing the codec and the size limit. The user is live (put through the store just
   * before), so the hook need not refresh lifetimes or active marks.
   */
  protected abstract void writeEncoded(PresenceStore<?> store, String userId, byte[] bytes);

  // ---- helpers ----

  private static final JacksonCodec<TestShape> CURSORS = JacksonCodec.of(TestShape.class);

  /** A store of cursors with the default lifetimes, for the tests that do not wait. */
  protected final PresenceStore<TestShape> cursors() {
    return closeAfterTest(
        newPresenceStore(CURSORS, TtlPolicy.DEFAULT, StoreConfig.DEFAULT_MAX_VALUE_BYTES));
  }

  /** A store of cursors with {@link #shortTtl()}. */
  protected final PresenceStore<TestShape> shortLivedCursors() {
    return closeAfterTest(
        newPresenceStore(CURSORS, shortTtl(), StoreConfig.DEFAULT_MAX_VALUE_BYTES));
  }

  private Duration presenceTtl(int tenths) {
    return tenths(shortTtl().presenceTtl(), tenths);
  }

  private static TestShape cursor(String user, int x) {
    return new TestShape(user, x, x + 1);
  }

  // ---- reading and writing ----

  @Test
  void get_unknownUser_returnsEmpty() {
    PresenceStore<TestShape> store = cursors();

    assertThat(store.get(newId("u"))).isEmpty();
  }

  @Test
  void put_newUser_getReturnsEqualValueAndUserIsActive() {
    PresenceStore<TestShape> store = cursors();
    String u = newId("u");

    store.put(u, cursor(u, 1));

    assertThat(store.get(u)).contains(cursor(u, 1));
    assertThat(store.activeUsers()).containsExactly(u);
    assertThat(store.getAll()).containsExactlyEntriesOf(Map.of(u, cursor(u, 1)));
  }

  @Test
  void put_existingUser_replacesPresence() {
    PresenceStore<TestShape> store = cursors();
    String u = newId("u");
    store.put(u, cursor(u, 1));

    store.put(u, cursor(u, 2));

    assertThat(store.get(u)).contains(cursor(u, 2));
    assertThat(store.getAll()).hasSize(1);
  }

  @Test
  void remove_liveUser_returnsTrueAndForgetsIt() {
    PresenceStore<TestShape> store = cursors();
    String u = newId("u");
    String other = newId("u");
    store.put(u, cursor(u, 1));
    store.put(other, cursor(other, 1));

    assertThat(store.remove(u)).isTrue();

    assertThat(store.get(u)).isEmpty();
    assertThat(store.activeUsers()).containsExactly(other);
    assertThat(store.getAll()).containsOnlyKeys(other);
  }

  @Test
  void remove_unknownUser_returnsFalse() {
    PresenceStore<TestShape> store = cursors();

    assertThat(store.remove(newId("u"))).isFalse();
  }

  @Test
  void getAll_severalUsers_returnsEveryOneAsAnImmutableMap() {
    PresenceStore<TestShape> store = cursors();
    Map<String, TestShape> expected = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      String u = newId("u");
      store.put(u, cursor(u, i));
      expected.put(u, cursor(u, i));
    }

    Map<String, TestShape> all = store.getAll();

    assertThat(all).isEqualTo(expected);
    assertThat(store.activeUsers()).isEqualTo(expected.keySet());
    assertThatThrownBy(() -> all.put("x", cursor("x", 1)))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> store.activeUsers().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void getAll_noUsers_returnsEmptyMap() {
    PresenceStore<TestShape> store = cursors();

    assertThat(store.getAll()).isEmpty();
    assertThat(store.activeUsers()).isEmpty();
  }

  // ---- values are copied, codecs ----

  @Test
  void put_callerMutatesValueAfterwards_storedValueUnchanged() {
    PresenceStore<TestShape> store = cursors();
    String u = newId("u");
    TestShape c = cursor(u, 1);

    store.put(u, c);
    c.x = 99;
    store.get(u).orElseThrow().tags.add("mutated");
    store.getAll().get(u).y = -1;

    assertThat(store.get(u)).contains(cursor(u, 1));
  }

  @Test
  void put_stringCodec_storesTheJsonUntouched() {
    PresenceStore<String> store = closeAfterTest(
        newPresenceStore(Codec.string(), TtlPolicy.DEFAULT, StoreConfig.DEFAULT_MAX_VALUE_BYTES));
    String u = newId("u");
    String json = "{\"name\": \"Ada\", \"color\": \"#00ff00\"}";

    store.put(u, json);

    assertThat(store.get(u)).contains(json);
  }

  @Test
  void get_jsonWrittenByAnotherClient_decodes() {
    PresenceStore<TestShape> store = cursors();
    String u = newId("u");
    store.put(u, cursor(u, 1));

    writeEncoded(store, u, ("{ \"x\" : 5, \"id\" : \"" + u + "\", \"y\" : 6 }").getBytes(UTF_8));

    assertThat(store.get(u)).contains(cursor(u, 5));
  }

  // ---- undecodable stored values ----

  @Test
  void get_undecodableStoredValue_throwsCodecExceptionNamingTheUser() {
    PresenceStore<TestShape> store = cursors();
    String u = newId("u");
    store.put(u, cursor(u, 1));
    writeEncoded(store, u, "{\"x\": ".getBytes(UTF_8));

    assertThatThrownBy(() -> store.get(u))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("\"" + u + "\"");
  }

  @Test
  void getAll_undecodableStoredValue_returnsTheOthers() {
    PresenceStore<TestShape> store = cursors();
    String bad = newId("u");
    String good = newId("u");
    store.put(bad, cursor(bad, 1));
    store.put(good, cursor(good, 2));
    writeEncoded(store, bad, "garbage".getBytes(UTF_8));

    assertThat(store.getAll()).containsExactlyEntriesOf(Map.of(good, cursor(good, 2)));
    assertThat(store.activeUsers()).containsExactlyInAnyOrder(bad, good);

    store.put(bad, cursor(bad, 3));
    assertThat(store.getAll()).containsOnlyKeys(bad, good);
  }

  // ---- bad input ----

  static Stream<Arguments> badIds() {
    return CanvasStoreContract.badIds();
  }

  @ParameterizedTest
  @MethodSource("badIds")
  void everyOperation_badUserId_throwsIllegalArgumentNamingItAndWritesNothing(
      String bad, String shown) {
    PresenceStore<TestShape> store = cursors();
    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("put", () -> store.put(bad, cursor("u", 1)));
    calls.put("get", () -> store.get(bad));
    calls.put("remove", () -> store.remove(bad));

    calls.forEach((name, call) -> assertThatThrownBy(call)
        .as(name)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userId")
        .hasMessageContaining(shown));
    assertThat(store.activeUsers()).isEmpty();
  }

  @Test
  void everyOperation_nullArgument_throwsNullPointerAndWritesNothing() {
    PresenceStore<TestShape> store = cursors();
    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("put(null, p)", () -> store.put(null, cursor("u", 1)));
    calls.put("put(u, null)", () -> store.put("u", null));
    calls.put("get(null)", () -> store.get(null));
    calls.put("remove(null)", () -> store.remove(null));

    calls.forEach((name, call) ->
        assertThatThrownBy(call).as(name).isInstanceOf(NullPointerException.class));
    assertThat(store.activeUsers()).isEmpty();
  }

  @Test
  void put_valueOverSizeLimit_throwsIllegalArgumentNamingUserAndSizeAndKeepsOldValue() {
    PresenceStore<String> store = closeAfterTest(newPresenceStore(Codec.string(),
        TtlPolicy.DEFAULT, 32));
    String u = newId("u");
    store.put(u, "x".repeat(32));

    assertThatThrownBy(() -> store.put(u, "y".repeat(33)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + u + "\"")
        .hasMessageContaining("33")
        .hasMessageContaining("32");

    assertThat(store.get(u)).contains("x".repeat(32));
  }

  // ---- lifetimes ----

  @Test
  void everyRead_userSilentForPresenceTtl_doesNotReportIt() {
    PresenceStore<TestShape> store = shortLivedCursors();
    String gone = newId("u");
    String live = newId("u");
    store.put(gone, cursor(gone, 1));

    elapse(presenceTtl(6));
    store.put(live, cursor(live, 1));
    elapse(presenceTtl(6));

    assertThat(store.activeUsers()).containsExactly(live);
    assertThat(store.getAll()).containsOnlyKeys(live);
    assertThat(store.get(gone)).isEmpty();
    assertThat(store.get(live)).contains(cursor(live, 1));
  }

  @Test
  void get_withinPresenceTtl_doesNotExtendIt() {
    PresenceStore<TestShape> store = shortLivedCursors();
    String u = newId("u");
    store.put(u, cursor(u, 1));

    elapse(presenceTtl(6));
    assertThat(store.get(u)).contains(cursor(u, 1));
    assertThat(store.getAll()).containsOnlyKeys(u);
    assertThat(store.activeUsers()).containsExactly(u);
    elapse(presenceTtl(6));

    assertThat(store.get(u)).isEmpty();
    assertThat(store.getAll()).isEmpty();
    assertThat(store.activeUsers()).isEmpty();
  }

  @Test
  void put_heartbeatWithinPresenceTtl_extendsIt() {
    PresenceStore<TestShape> store = shortLivedCursors();
    String u = newId("u");
    store.put(u, cursor(u, 1));

    elapse(presenceTtl(6));
    store.put(u, cursor(u, 2));
    elapse(presenceTtl(6));

    assertThat(store.get(u)).contains(cursor(u, 2));
    assertThat(store.activeUsers()).containsExactly(u);
  }

  @Test
  void remove_expiredUser_returnsFalseAndAPutBringsItBack() {
    PresenceStore<TestShape> store = shortLivedCursors();
    String u = newId("u");
    store.put(u, cursor(u, 1));
    elapse(presenceTtl(15));

    assertThat(store.remove(u)).isFalse();

    store.put(u, cursor(u, 2));
    assertThat(store.get(u)).contains(cursor(u, 2));
    assertThat(store.activeUsers()).containsExactly(u);
  }

  // ---- concurrency ----

  @Test
  void put_manyThreadsHeartbeating_endsInTheLastWrites() {
    PresenceStore<TestShape> store = cursors();
    String shared = newId("u");
    String[] own = new String[THREADS];
    for (int t = 0; t < THREADS; t++) {
      own[t] = newId("u");
    }

    concurrently(THREADS, t -> {
      for (int i = 0; i < OPS_PER_THREAD; i++) {
        store.put(own[t], cursor(own[t], i));
        store.put(shared, cursor("t" + t, i));
        if (i % 50 == 0) {
          assertThat(store.getAll()).containsKey(own[t]);
        }
      }
    });

    Map<String, TestShape> all = new HashMap<>(store.getAll());
    Set<TestShape> lastShared = new HashSet<>();
    Map<String, TestShape> expected = new HashMap<>();
    for (int t = 0; t < THREADS; t++) {
      lastShared.add(cursor("t" + t, OPS_PER_THREAD - 1));
      expected.put(own[t], cursor(own[t], OPS_PER_THREAD - 1));
    }
    assertThat(lastShared).contains(all.remove(shared));
    assertThat(all).isEqualTo(expected);
    assertThat(store.activeUsers()).hasSize(THREADS + 1);
  }
}
