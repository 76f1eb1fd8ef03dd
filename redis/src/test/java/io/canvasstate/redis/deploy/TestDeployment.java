package io.canvasstate.redis.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
import io.canvasstate.StoreConfig;
import io.canvasstate.TtlPolicy;
import io.canvasstate.redis.RedisStores;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.UnifiedJedis;

/**
 * A Redis deployment that the contract suites run against: how to configure stores for it, and
 * an administrator's client for what the suites do behind a store's back (writing raw values,
 * planting a key of the wrong type). Every store gets its own key prefix, so stores share no
 * state. Thread-safe.
 */
public final class TestDeployment implements AutoCloseable {
  /** The lifetimes the deployments' TTL tests use. */
  public static final TtlPolicy SHORT_TTL =
      new TtlPolicy(Duration.ofMillis(1_500), Duration.ofMillis(1_500));

  private static final AtomicLong PREFIXES = new AtomicLong();
  /** Deployments whose administrator's client is open, for {@link #closeAll()}. */
  private static final Set<TestDeployment> OPEN = ConcurrentHashMap.newKeySet();

  private final String name;
  private final Supplier<StoreConfig.Builder> base;
  private final Supplier<UnifiedJedis> adminFactory;
  private final String prefixStem;
  private final Map<Object, KeySchema> schemas =
      Collections.synchronizedMap(new IdentityHashMap<>());
  private volatile @Nullable UnifiedJedis admin;

  /**
   * @param name for messages, such as {@code "cluster"}
   * @param base the configuration that selects the deployment (and its credentials)
   * @param admin opens a client that may do anything on the deployment
   * @param prefixStem the start of every store's key prefix (a test of an ACL user passes the
   *     prefix its key patterns allow)
   */
  public TestDeployment(String name, Supplier<StoreConfig.Builder> base,
      Supplier<UnifiedJedis> admin, String prefixStem) {
    this.name = name;
    this.base = base;
    this.adminFactory = admin;
    this.prefixStem = prefixStem;
  }

  /** The configuration of a new store: the deployment's, with a fresh key prefix. */
  public StoreConfig.Builder config() {
    return base.get().keyPrefix(prefixStem + PREFIXES.incrementAndGet() + ":");
  }

  /**
   * A {@link RedisStores} for {@link #config()} with these lifetimes and limit, without the
   * in-memory fallback (its stores are used bare).
   */
  public RedisStores newStores(TtlPolicy ttl, int maxValueBytes) {
    return RedisStores.create(config().ttl(ttl).maxValueBytes(maxValueBytes)
        .fallbackEnabled(false).build());
  }

  /**
   * The bare Redis canvas store of {@code stores} (no failover, which would hide what Redis
   * does); the caller closes {@code stores}.
   */
  public <T> CanvasStore<T> canvas(RedisStores stores, Codec<T> codec) {
    CanvasStore<T> store = stores.redisCanvas(codec);
    schemas.put(store, stores.config().keySchema());
    return store;
  }

  /**
   * Remembers which keys {@code store}, made by {@code stores} some other way (with persistence,
   * say), uses; returns it.
   */
  public <S> S track(S store, RedisStores stores) {
    schemas.put(store, stores.config().keySchema());
    return store;
  }

  /** The bare Redis presence store of {@code stores}. */
  public <P> PresenceStore<P> presence(RedisStores stores, Codec<P> codec) {
    PresenceStore<P> store = stores.redisPresence(codec);
    schemas.put(store, stores.config().keySchema());
    return store;
  }

  /** Writes raw bytes as an object of a project of {@code store}, as another client would. */
  public void writeEncoded(CanvasStore<?> store, String projectId, String objectId, byte[] bytes) {
    admin().hset(schema(store).objectsKey(projectId).getBytes(UTF_8), objectId.getBytes(UTF_8),
        bytes);
  }

  /** Writes raw bytes as a user's presence in {@code store}, as another client would. */
  public void writeEncoded(PresenceStore<?> store, String userId, byte[] bytes) {
    admin().hset(schema(store).presenceKey().getBytes(UTF_8), userId.getBytes(UTF_8), bytes);
  }

  /** Replaces a project's hash with a string, as a misbehaving client would. */
  public void plantWrongType(CanvasStore<?> store, String projectId) {
    String key = schema(store).objectsKey(projectId);
    admin().del(key);
    admin().set(key, "not a hash");
  }

  /** The key schema {@code store} was made with. */
  public KeySchema schema(Object store) {
    KeySchema schema = schemas.get(store);
    if (schema == null) {
      throw new IllegalArgumentException("not a store of " + this + ": " + store);
    }
    return schema;
  }

  /** The administrator's client, opened on first use. */
  public UnifiedJedis admin() {
    UnifiedJedis a = admin;
    if (a == null) {
      synchronized (this) {
        a = admin;
        if (a == null) {
          a = adminFactory.get();
          admin = a;
          OPEN.add(this);
        }
      }
    }
    return a;
  }

  /** Closes every deployment's administrator's client; a test class calls it when done. */
  public static void closeAll() {
    for (TestDeployment deployment : List.copyOf(OPEN)) {
      deployment.close();
    }
  }

  @Override
  public synchronized void close() {
    OPEN.remove(this);
    UnifiedJedis a = admin;
    if (a != null) {
      a.close();
      admin = null;
    }
    schemas.clear();
  }

  @Override
  public String toString() {
    return "TestDeployment[" + name + "]";
  }
}
