package io.canvasstate.redis;

import static io.canvasstate.redis.RedisBytes.bytes;
import static io.canvasstate.redis.RedisBytes.number;
import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.PresenceStore;
import io.canvasstate.internal.DecodeFailures;
import io.canvasstate.internal.Values;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@link PresenceStore} in Redis: the hash {@code presence:{users}} (user id &rarr; presence
 * JSON) and the sorted set {@code presence:{users}:active} (user id &rarr; expiry time in ms, from
 * Redis' clock), under one hash tag so that a heartbeat is one atomic script even on a cluster.
 *
 * <p>A heartbeat ({@link #put}) writes both and sets both keys' TTL to the presence TTL, so they
 * vanish when nobody is left. {@link #get} answers only for a presence that has not expired and
 * does not extend it. {@link #getAll} and {@link #activeUsers} first remove what expired, which
 * costs what expired, in the same round trip as their read. Every operation is one round trip.
 *
 * <p>On a Redis Cluster both keys carry the {@code {users}} hash tag, so every operation,
 * {@link #getAll} and {@link #activeUsers} included, runs on one node in one round trip and is
 * as atomic as on one server; the price is that all presence lives on that one node.
 *
 * <p>Obtained from {@link RedisStores#redisPresence} (or, failover-wrapped, from
 * {@link RedisStores#presence}); {@link #close()} does not close the connection pool.
 * Thread-safe.
 *
 * @param <P> the type of a user's presence
 */
public final class RedisPresenceStore<P> implements PresenceStore<P> {
  private static final Long ONE = 1L;

  private final RedisBackend backend;
  private final Codec<P> codec;
  private final int maxValueBytes;
  private final byte[] ttlArg;
  private final String hashKey;
  /** Both keys, as error messages name them: a wrong type may be either one's. */
  private final String bothKeys;
  private final byte[] hash;
  private final String activeKey;
  private final byte[] active;
  private final List<byte[]> keys;
  private final DecodeFailures decodeFailures = new DecodeFailures();
  private volatile boolean closed;

  RedisPresenceStore(RedisBackend backend, Codec<P> codec) {
    this.backend = backend;
    this.codec = requireNonNull(codec, "codec");
    KeySchema schema = backend.config().keySchema();
    this.maxValueBytes = backend.config().maxValueBytes();
    this.ttlArg = number(backend.config().ttl().presenceTtl().toMillis());
    this.hashKey = schema.presenceKey();
    this.bothKeys = hashKey + "\" / \"" + schema.activeUsersKey();
    this.hash = bytes(hashKey);
    this.activeKey = schema.activeUsersKey();
    this.active = bytes(activeKey);
    this.keys = List.of(hash, active);
  }

  /** How many stored presences {@link #getAll} has left out because they could not be decoded. */
  public long undecodableValues() {
    return decodeFailures.count();
  }

  @Override
  public void put(String userId, P presence) {
    Values.id("userId", userId);
    byte[] value = Values.encode(codec, userId, presence, maxValueBytes);
    script("put", Scripts.PRESENCE_PUT, List.of(ttlArg, bytes(userId), value));
  }

  @Override
  public Optional<P> get(String userId) {
    Values.id("userId", userId);
    Object reply = script("get", Scripts.PRESENCE_GET, List.of(bytes(userId)));
    if (reply == null) {
      return Optional.empty();
    }
    return Optional.of(Values.decode(codec, hashKey, userId, (byte[]) reply));
  }

  @Override
  public boolean remove(String userId) {
    Values.id("userId", userId);
    return ONE.equals(script("remove", Scripts.PRESENCE_REMOVE, List.of(bytes(userId))));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One round trip, to the one node that holds {@code {users}} on a cluster: a script drops
   * the expired presences (atomically), then the hash is read in the same pipeline.
   *
   * @throws io.canvasstate.StoreUnavailableException if Redis cannot be reached
   * @throws io.canvasstate.StoreException if a presence key holds the wrong type
   */
  @Override
  public Map<String, P> getAll() {
    requireOpen();
    Batch batch = backend.batch("getAll");
    Batch.Step<@Nullable Object> pruned = batch.script(Scripts.PRESENCE_PRUNE, bothKeys, keys, List.of());
    Batch.Step<Map<byte[], byte[]>> all = batch.command(hashKey, p -> p.hgetAll(hash));
    batch.run();
    pruned.get();
    Map<byte[], byte[]> raw = all.get();
    return raw == null ? Map.of() : RedisBytes.decodeAll(codec, hashKey, raw, decodeFailures);
  }

  @Override
  public Set<String> activeUsers() {
    requireOpen();
    Batch batch = backend.batch("activeUsers");
    Batch.Step<@Nullable Object> pruned = batch.script(Scripts.PRESENCE_PRUNE, bothKeys, keys, List.of());
    Batch.Step<List<byte[]>> users = batch.command(activeKey, p -> p.zrange(active, 0, -1));
    batch.run();
    pruned.get();
    List<byte[]> raw = users.get();
    return raw == null ? Set.of() : RedisBytes.strings(raw);
  }

  private @Nullable Object script(String op, Script script, List<byte[]> args) {
    requireOpen();
    Batch batch = backend.batch(op);
    Batch.Step<@Nullable Object> reply = batch.script(script, bothKeys, keys, args);
    batch.run();
    return reply.get();
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this RedisPresenceStore is closed");
    }
    backend.requireOpen();
  }

  /** Marks this store closed; the connection pool stays open (it is {@link RedisStores}'). */
  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "RedisPresenceStore[" + codec + ", " + backend.config().keySchema() + ", ttl="
        + backend.config().ttl().presenceTtl() + (closed ? ", closed" : "") + "]";
  }
}
