package io.canvasstate.redis;

import static io.canvasstate.redis.RedisBytes.bytes;
import static io.canvasstate.redis.RedisBytes.number;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasListener;
import io.canvasstate.CanvasTooLargeException;
import io.canvasstate.CanvasStore;
import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.KeySchema;
import io.canvasstate.ResyncReason;
import io.canvasstate.StoreConfig;
import io.canvasstate.StoreException;
import io.canvasstate.Subscription;
import io.canvasstate.internal.DecodeFailures;
import io.canvasstate.internal.EventHub;
import io.canvasstate.internal.Values;
import io.canvasstate.persistence.Persistence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A {@link CanvasStore} in Redis: one hash per project, {@code canvas:{<projectId>}:objects},
 * holding object id &rarr; object JSON, and the {@code projects:active} sorted set (see
 * {@link KeySchema}).
 *
 * <p>Every operation is one network round trip, except that the bulk ones ({@link #putAll},
 * {@link #getAll}, a load from the repository) take one per chunk of
 * {@link StoreConfig#chunkSize} objects on a bigger canvas, so that no single call keeps Redis
 * busy for long (see {@link #putAll}, {@link #getAll} and {@link #clear} for what stays atomic);
 * {@link #clear} frees the hash with {@code UNLINK}, and with persistence first removes a bigger
 * canvas a chunk per script. A write that would make a canvas
 * hold more than {@link StoreConfig#maxCanvasObjects} objects throws
 * {@link CanvasTooLargeException}. Writes are Lua scripts that also slide the
 * project's TTL, so a hash is never left without one. Reads slide it too, in the same round trip,
 * but at most once per {@linkplain #slideInterval slide interval} (a hundredth of the canvas TTL,
 * at most a second) per project and instance: in between, {@link #get} is a plain {@code HGET}
 * and a bulk read ({@link #getAll}, {@link #ids}, {@link #count}) the plain command. With the
 * default hour, a project thus expires between 59 min 59 s and an hour after its last read, and
 * exactly an hour after its last write. A sliding read is a script ({@link #get}) or the read
 * pipelined with a small script ({@link #getAll}: a script returning a whole canvas would block
 * Redis while it builds the reply); both leave a key of another type alone. An operation also
 * refreshes the project's active mark in the same round trip, at most once per tenth of the
 * canvas TTL per project and instance (a write that creates the project's hash always marks it,
 * in a second round trip when the throttle had skipped it).
 *
 * <p>Why reads slide at most once per interval: a script costs Redis far more CPU than the
 * command it wraps (on Redis 7.0 here, 4.0 &micro;s for {@code HGET} + {@code PEXPIRE} in a script
 * against 0.3 &micro;s for the {@code HGET}), which made every read 1.4&times; the plain
 * {@code HGET}; a busy canvas is read far more often than once per interval.
 *
 * <p>Values are compared, for {@code replace(k, expected, v)} and {@code remove(k, expected)},
 * by their encoding, and a value another client stored with other spacing or field order still
 * matches (see {@link Values#sameValue}). A value that cannot be decoded makes {@link #get} and
 * the methods returning a previous value throw {@link CodecException} (after they wrote, for
 * those that write); {@link #getAll} leaves it out and counts it in {@link #undecodableValues()}.
 *
 * <p>Every write that changes something publishes its change event on the project's channel,
 * {@code canvas:{<projectId>}:events}, from inside its script: atomic with the write, in the
 * same round trip, in the order Redis applied the writes. {@link #subscribe} listens on that
 * channel through the {@link RedisStores}' one event connection (see {@link CanvasStore#subscribe}
 * for the guarantees); listeners are called on that connection's thread.
 *
 * <p>On a Redis Cluster, every key of a project carries the {@code {projectId}} hash tag, so
 * each per-project operation runs on one node and is exactly as atomic as on one server: the
 * scripts are atomic, {@link #getAll} is one snapshot. The active-projects set is a key of its
 * own, usually on another node: an operation's active mark goes in the same pipeline (one round
 * trip, the nodes' replies read in parallel) but is not atomic with the project's write, which
 * it is not on one server either. A batch that meets a moved slot reloads the slot map and is
 * sent again; a failed node costs {@link io.canvasstate.StoreUnavailableException} until the
 * cluster has promoted its replica. See {@link #activeProjects()} for what spans projects.
 *
 * <p>With {@linkplain Persistence persistence} ({@link RedisStores#redisCanvas(Codec, Persistence)}),
 * every script also records the objects it changed as unsaved and keeps a project with unsaved
 * changes from expiring, in the same round trip (see {@link PersistScripts}), and lists a
 * changed project among the dirty ones (in the script on one server, in the same pipeline on a
 * Cluster); and an operation on a project Redis does not hold loads it from the repository first
 * ({@link Persistence#load}), then runs again. Without persistence none of this costs anything.
 *
 * <p>Obtained from {@link RedisStores#redisCanvas} (or, failover-wrapped, from
 * {@link RedisStores#canvas}); {@link #close()} does not close the connection pool,
 * {@link RedisStores#close()} does. Thread-safe.
 *
 * @param <T> the type of the canvas objects
 */
public final class RedisCanvasStore<T> implements CanvasStore<T> {
  private static final Logger LOG = LoggerFactory.getLogger(RedisCanvasStore.class);
  /** Tries of a compare-and-set whose stored bytes differ from the expected ones but are equal. */
  private static final int MAX_SAME_VALUE_RETRIES = 8;
  private static final Long ONE = 1L;
  /** Loads of a cold project before an operation gives up (it expired again each time). */
  private static final int MAX_COLD_ATTEMPTS = 3;

  private final RedisBackend backend;
  private final Codec<T> codec;
  private final KeySchema schema;
  private final int maxValueBytes;
  /** Most objects, and most value bytes, one script of a bulk write carries. */
  private final int chunkSize;
  private final int chunkBytes;
  private final int maxCanvasObjects;
  private final byte[] limitArg;
  private final ActiveMarks marks;
  /** When this instance last slid each project's TTL on a read. */
  private final ActiveMarks slides;
  private final byte[] ttlArg;
  private final byte[] markArg;
  private final String activeKey;
  private final List<byte[]> activeKeys;
  private final DecodeFailures decodeFailures = new DecodeFailures();
  private final DecodeFailures undecodableEvents = new DecodeFailures();
  private final RedisEvents events;
  private final byte[] instanceIdArg;
  private final EventHub<String, CanvasEvent<T>> hub;
  /** The sink of each project that has listeners; changed under the hub's lock. */
  private final Map<String, ProjectSink> sinks = new ConcurrentHashMap<>();
  private final @Nullable Persistence<?> persistence;
  private final @Nullable RedisChangeLog changeLog;
  private volatile boolean closed;

  RedisCanvasStore(RedisBackend backend, Codec<T> codec, ActiveMarks marks, ActiveMarks slides,
      RedisEvents events) {
    this(backend, codec, marks, slides, events, null, null);
  }

  /** A store with persistence when {@code persistence} and {@code changeLog} are given. */
  RedisCanvasStore(RedisBackend backend, Codec<T> codec, ActiveMarks marks, ActiveMarks slides,
      RedisEvents events, @Nullable Persistence<?> persistence,
      @Nullable RedisChangeLog changeLog) {
    this.persistence = persistence;
    this.changeLog = changeLog;
    this.backend = backend;
    this.codec = requireNonNull(codec, "codec");
    this.marks = marks;
    this.slides = slides;
    StoreConfig config = backend.config();
    this.schema = config.keySchema();
    this.maxValueBytes = config.maxValueBytes();
    this.chunkSize = config.chunkSize();
    this.chunkBytes = config.chunkBytes();
    this.maxCanvasObjects = config.maxCanvasObjects();
    this.limitArg = number(maxCanvasObjects);
    Duration ttl = config.ttl().canvasTtl();
    this.ttlArg = number(ttl.toMillis());
    // The mark outlives the hash by the throttle interval, the longest a mark may go unrefreshed.
    this.markArg = number(ttl.toMillis() + markInterval(ttl).toMillis());
    this.activeKey = schema.activeProjectsKey();
    this.activeKeys = List.of(bytes(activeKey));
    this.events = events;
    this.instanceIdArg = bytes(events.instanceId());
    this.hub = new EventHub<>("canvas events of " + events.instanceId(), new EventHub.KeyWatcher<>() {
      @Override
      public void firstListener(String projectId) {
        ProjectSink sink = new ProjectSink(projectId);
        sinks.put(projectId, sink);
        events.add(sink.channel, sink);
      }

      @Override
      public void lastListenerGone(String projectId) {
        ProjectSink sink = sinks.remove(projectId);
        if (sink != null) {
          events.remove(sink.channel, sink);
        }
      }
    });
  }

  /**
   * How often an instance slides a project's TTL on reads: a hundredth of the canvas TTL, at most
   * a second (and at least a millisecond).
   */
  static Duration slideInterval(Duration canvasTtl) {
    return Duration.ofMillis(Math.max(1, Math.min(1_000, canvasTtl.toMillis() / 100)));
  }

  /** How often an instance refreshes a project's active mark: a tenth of the canvas TTL. */
  static Duration markInterval(Duration canvasTtl) {
    return Duration.ofMillis(Math.max(1, canvasTtl.toMillis() / 10));
  }

  /** How many stored values bulk reads have left out because they could not be decoded. */
  public long undecodableValues() {
    return decodeFailures.count();
  }

  @Override
  public Optional<T> get(String projectId, String objectId) {
    String key = schema.objectsKey(projectId);
    Values.id("objectId", objectId);
    // Asked first, so that the script below counts as this interval's slide even when it was
    // the active mark that made it due.
    boolean slide = changeLog != null || slides.due(projectId);
    if (!slide && !marks.isDue(projectId)) {
      return decode(key, objectId, hget(key, objectId));
    }
    try {
      return decode(key, objectId, run("get", projectId, key, Scripts.GET, false, objectId));
    } catch (RuntimeException e) {
      slides.forget(projectId);
      throw e;
    }
  }

  /** A read that neither slides the TTL nor marks the project: a plain {@code HGET}. */
  private byte @Nullable [] hget(String key, String objectId) {
    requireOpen();
    Batch batch = backend.batch("get");
    Batch.Step<byte[]> value = batch.command(key, p -> p.hget(bytes(key), bytes(objectId)));
    batch.run();
    return value.get();
  }

  @Override
  public void put(String projectId, String objectId, T object) {
    write("put", Scripts.PUT, true, projectId, objectId, object);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Each chunk is one script (with its change events, one {@code Put} per object, and with
   * persistence its unsaved changes), so chunks are atomic and their events come in the order
   * the chunks were applied. Every id and value is checked and encoded before the first chunk
   * is sent.
   */
  @Override
  public void putAll(String projectId, Map<String, ? extends T> objects) {
    String key = schema.objectsKey(projectId);
    requireNonNull(objects, "objects");
    if (objects.isEmpty()) {
      return;
    }
    List<byte[]> pairs = new ArrayList<>(2 * objects.size());
    for (Map.Entry<String, ? extends T> e : objects.entrySet()) {
      String objectId = Values.id("objectId", e.getKey());
      pairs.add(bytes(objectId));
      pairs.add(Values.encode(codec, objectId, e.getValue(), maxValueBytes));
    }
    if (objects.size() > maxCanvasObjects) {
      throw new CanvasTooLargeException(projectId, maxCanvasObjects,
          "putAll of " + objects.size() + " objects");
    }
    for (List<byte[]> chunk : RedisBytes.chunks(pairs, chunkSize, chunkBytes)) {
      List<byte[]> args = new ArrayList<>(chunk.size() + 2);
      args.add(ttlArg);
      args.addAll(chunk);
      args.add(limitArg);
      runArgs("putAll", projectId, key, Scripts.PUT, true, args);
    }
  }

  @Override
  public boolean remove(String projectId, String objectId) {
    String key = schema.objectsKey(projectId);
    Values.id("objectId", objectId);
    return ONE.equals(run("remove", projectId, key, Scripts.REMOVE, false, objectId));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads with {@code HSCAN ... COUNT chunkSize + 1}: one command per round trip, each bounded
   * by about {@link StoreConfig#chunkSize} objects. A canvas that one {@code HSCAN} covers (any of
   * up to {@code chunkSize} objects) comes in one round trip, as one command, so it is one
   * snapshot. A bigger canvas takes about one round trip per {@code chunkSize} objects; Redis
   * then guarantees every object present during the whole read is returned, with its value at
   * the time its piece was read (an object met twice keeps the later value).
   */
  @Override
  public Map<String, T> getAll(String projectId) {
    String key = schema.objectsKey(projectId);
    // One more than a chunk: Redis stops a call once it has COUNT entries, so a canvas of
    // exactly one chunk still ends in its first call.
    ScanParams params = new ScanParams().count((int) Math.min(Integer.MAX_VALUE, chunkSize + 1L));
    ScanResult<Map.Entry<byte[], byte[]>> page = read("getAll", projectId, key,
        (p, k) -> p.hscan(k, ScanParams.SCAN_POINTER_START_BINARY, params));
    if (page == null) {
      return Map.of();
    }
    List<Map.Entry<byte[], byte[]>> raw = page.getResult();
    if (!page.isCompleteIteration()) {
      raw = new ArrayList<>(raw);
      byte[] k = bytes(key);
      while (!page.isCompleteIteration()) {
        byte[] cursor = page.getCursorAsBytes();
        Batch batch = backend.batch("getAll");
        Batch.Step<ScanResult<Map.Entry<byte[], byte[]>>> next =
            batch.command(key, p -> p.hscan(k, cursor, params));
        batch.run();
        page = next.get();
        raw.addAll(page.getResult());
      }
    }
    return RedisBytes.decodeAll(codec, key, raw, decodeFailures);
  }

  @Override
  public Set<String> ids(String projectId) {
    String key = schema.objectsKey(projectId);
    Set<byte[]> raw = read("ids", projectId, key, (p, k) -> p.hkeys(k));
    return raw == null ? Set.of() : RedisBytes.strings(raw);
  }

  @Override
  public int count(String projectId) {
    String key = schema.objectsKey(projectId);
    Long n = read("count", projectId, key, (p, k) -> p.hlen(k));
    return n == null ? 0 : (int) Math.min(Integer.MAX_VALUE, n);
  }

  /**
   * {@inheritDoc}
   *
   * <p>One pipeline of a script that {@code UNLINK}s the hash (Redis frees its memory in a
   * background thread) and the removal of the active mark: constant work, atomic, one
   * {@code Cleared} event. With persistence every object must also be recorded as an unsaved
   * delete, which costs Redis time per object, so a canvas of more than
   * {@link StoreConfig#chunkSize} objects is cleared a chunk per round trip: each script removes
   * a chunk of objects, records them as unsaved deletes and publishes one {@code Removed} per
   * object, until one finds at most a chunk left and removes it as a canvas of up to a chunk
   * always is (one script, atomic, one {@code Cleared} event). A reader between chunks sees the
   * canvas with some objects gone, as the events say. A failure halfway leaves the chunks before it
   * removed and recorded as deletes (the auto-save worker saves them), the rest in place, and the
   * project off the active ones until its next write; calling {@code clear} again completes it.
   */
  @Override
  public void clear(String projectId) {
    String key = schema.objectsKey(projectId);
    requireOpen();
    byte[] member = bytes(projectId);
    boolean persistent = changeLog != null;
    Script script = persistent ? Scripts.CLEAR_CHUNK : Scripts.CLEAR;
    List<byte[]> args = persistent ? List.of(number(chunkSize)) : List.of();
    for (int attempt = 0; ; ) {
      Batch batch = backend.batch("clear");
      Batch.Step<@Nullable Object> deleted = script(batch, script, projectId, key, args);
      Batch.Step<@Nullable Object> listed = indexIfPersistent(batch, script, projectId);
      Batch.Step<Long> unmarked =
          batch.command(activeKey, p -> p.zrem(activeKeys.get(0), member));
      marks.forget(projectId);
      batch.run();
      Object reply = deleted.get();
      unmarked.get();
      if (listed != null) {
        listed.get();
      }
      if (isCold(reply)) {
        loadCold("clear", projectId, key, attempt++);
      } else if (!(reply instanceof List<?> part && ONE.equals(part.get(0)))) {
        return;
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>At most three round trips: one script prunes expired marks and reads the active-projects
   * set (atomically, on its node); one pipeline checks that each listed project's hash still
   * exists, which on a cluster is grouped per node with the nodes answering in parallel; and,
   * only if some hashes are gone, one script drops their marks. The result is not a snapshot
   * across projects, on one server or a cluster: a project created or cleared meanwhile may or
   * may not be in it. It never names a project whose hash has expired.
   *
   * @throws io.canvasstate.StoreUnavailableException if Redis cannot be reached
   * @throws io.canvasstate.StoreException if the set or a hash holds the wrong type
   */
  @Override
  public Set<String> activeProjects() {
    requireOpen();
    Batch listing = backend.batch("activeProjects");
    Batch.Step<@Nullable Object> marked =
        listing.script(Scripts.ACTIVE, activeKey, activeKeys, List.of());
    listing.run();
    List<?> flat = (List<?>) marked.get();
    if (flat == null || flat.isEmpty()) {
      return Set.of();
    }
    // One pipeline of EXISTS: a mark whose hash is gone (cleared, emptied, expired early, or
    // left by a read of a project that never existed) is not reported, and is removed below.
    Batch probe = backend.batch("activeProjects");
    List<String> ids = new ArrayList<>(flat.size() / 2);
    List<byte[]> scores = new ArrayList<>(flat.size() / 2);
    List<Batch.Step<Boolean>> exists = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      String projectId = new String((byte[]) flat.get(i), UTF_8);
      String key;
      try {
        key = schema.objectsKey(projectId);
      } catch (IllegalArgumentException notOurs) {
        continue; // a member no CanvasState store wrote: neither reported nor touched
      }
      byte[] k = bytes(key);
      ids.add(projectId);
      scores.add((byte[]) flat.get(i + 1));
      exists.add(probe.command(key, p -> p.exists(k)));
    }
    if (ids.isEmpty()) {
      return Set.of();
    }
    probe.run();
    Set<String> active = new HashSet<>();
    List<byte[]> gone = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      if (Boolean.TRUE.equals(exists.get(i).get())) {
        active.add(ids.get(i));
      } else {
        gone.add(bytes(ids.get(i)));
        gone.add(scores.get(i));
      }
    }
    if (!gone.isEmpty()) {
      Batch unmark = backend.batch("activeProjects");
      Batch.Step<@Nullable Object> removed =
          unmark.script(Scripts.UNMARK, activeKey, activeKeys, gone);
      unmark.run();
      removed.get();
    }
    return Collections.unmodifiableSet(active);
  }

  @Override
  public Optional<T> putIfAbsent(String projectId, String objectId, T object) {
    return write("putIfAbsent", Scripts.PUT_IF_ABSENT, true, projectId, objectId, object);
  }

  @Override
  public Optional<T> getAndPut(String projectId, String objectId, T object) {
    return write("getAndPut", Scripts.GET_AND_PUT, true, projectId, objectId, object);
  }

  @Override
  public Optional<T> getAndRemove(String projectId, String objectId) {
    String key = schema.objectsKey(projectId);
    Values.id("objectId", objectId);
    return decode(key, objectId,
        run("getAndRemove", projectId, key, Scripts.GET_AND_REMOVE, false, objectId));
  }

  @Override
  public Optional<T> replace(String projectId, String objectId, T object) {
    return write("replace", Scripts.REPLACE, false, projectId, objectId, object);
  }

  /** Runs a script that writes {@code object}; returns the value it reports as previous. */
  private Optional<T> write(String op, Script script, boolean creates, String projectId,
      String objectId, T object) {
    String key = schema.objectsKey(projectId);
    Values.id("objectId", objectId);
    byte[] value = Values.encode(codec, objectId, object, maxValueBytes);
    Object reply = creates
        ? run(op, projectId, key, script, true, objectId, value, limitArg)
        : run(op, projectId, key, script, false, objectId, value);
    return decode(key, objectId, reply);
  }

  @Override
  public boolean replace(String projectId, String objectId, T expected, T replacement) {
    String key = schema.objectsKey(projectId);
    Values.id("objectId", objectId);
    byte[] expectedBytes = Values.encode(codec, objectId, expected, Integer.MAX_VALUE);
    byte[] value = Values.encode(codec, objectId, replacement, maxValueBytes);
    return compareAnd("replace", projectId, key, Scripts.REPLACE_IF, objectId, expectedBytes,
        value);
  }

  @Override
  public boolean remove(String projectId, String objectId, T expected) {
    String key = schema.objectsKey(projectId);
    Values.id("objectId", objectId);
    byte[] expectedBytes = Values.encode(codec, objectId, expected, Integer.MAX_VALUE);
    return compareAnd("remove", projectId, key, Scripts.REMOVE_IF, objectId, expectedBytes, null);
  }

  /**
   * Runs a compare-and-set script. When the stored bytes differ from {@code expected} but hold
   * the same value (written by another client with other spacing), it tries again expecting the
   * exact stored bytes, so such a value can still be replaced and {@code compute} never loops
   * forever; a bounded number of times, in case the value keeps changing under it.
   */
  private boolean compareAnd(String op, String projectId, String key, Script script,
      String objectId, byte[] expected, byte @Nullable [] replacement) {
    byte[] expectedNow = expected;
    for (int attempt = 0; attempt <= MAX_SAME_VALUE_RETRIES; attempt++) {
      Object reply = replacement == null
          ? run(op, projectId, key, script, false, objectId, expectedNow)
          : run(op, projectId, key, script, false, objectId, expectedNow, replacement);
      if (ONE.equals(reply)) {
        return true;
      }
      if (!(reply instanceof byte[] stored) || !Values.sameValue(codec, stored, expected)) {
        return false;
      }
      expectedNow = stored;
    }
    return false;
  }

  /**
   * A read pipelined with the script that slides the TTL (when due, or always with persistence,
   * whose script also tells whether Redis holds the project) and the active mark (when due).
   */
  private <R> @Nullable R read(String op, String projectId, String key,
      BiFunction<AbstractPipeline, byte[], Response<R>> command) {
    requireOpen();
    byte[] k = bytes(key);
    for (int attempt = 0; ; attempt++) {
      boolean mark = marks.due(projectId);
      boolean slide = changeLog != null || slides.due(projectId);
      Batch batch = backend.batch(op);
      Batch.Step<R> result = batch.command(key, p -> command.apply(p, k));
      Batch.Step<@Nullable Object> slid =
          slide ? script(batch, Scripts.SLIDE, projectId, key, List.of(ttlArg)) : null;
      Batch.Step<@Nullable Object> marked = mark ? mark(batch, projectId) : null;
      try {
        send(batch, projectId, mark);
      } catch (RuntimeException e) {
        slides.forget(projectId);
        throw e;
      }
      R r = result.get();
      Object slidReply = slid == null ? null : slid.get();
      if (marked != null) {
        marked.get();
      }
      if (!isCold(slidReply)) {
        return r;
      }
      loadCold(op, projectId, key, attempt);
    }
  }

  private @Nullable Object run(String op, String projectId, String key, Script script,
      boolean creates, String objectId, byte[]... values) {
    List<byte[]> args = new ArrayList<>(2 + values.length);
    args.add(ttlArg);
    args.add(bytes(objectId));
    Collections.addAll(args, values);
    return runArgs(op, projectId, key, script, creates, args);
  }

  /**
   * Runs one script on a project's hash, with the active mark when due, in one round trip. For
   * a script that may create the hash ({@code creates}), whose reply is {@code created} or
   * {@code {created, value}}, a created hash is marked at once if the throttle had skipped it:
   * otherwise a project cleared elsewhere and written again here would go unreported.
   *
   * @return the script's reply, or the value part of it for a creating script
   */
  private @Nullable Object runArgs(String op, String projectId, String key, Script script,
      boolean creates, List<byte[]> args) {
    requireOpen();
    boolean mark;
    Object reply;
    for (int attempt = 0; ; attempt++) {
      mark = marks.due(projectId);
      Batch batch = backend.batch(op);
      Batch.Step<@Nullable Object> main = script(batch, script, projectId, key, args);
      Batch.Step<@Nullable Object> marked = mark ? mark(batch, projectId) : null;
      Batch.Step<@Nullable Object> listed = indexIfPersistent(batch, script, projectId);
      send(batch, projectId, mark);
      try {
        reply = main.get();
      } catch (StoreException e) {
        throw tooLarge(e, projectId, op);
      }
      if (marked != null) {
        marked.get();
      }
      if (listed != null) {
        listed.get();
      }
      if (!isCold(reply)) {
        break;
      }
      loadCold(op, projectId, key, attempt);
    }
    if (!creates) {
      return reply;
    }
    boolean created;
    Object value;
    if (reply instanceof List<?> pair) {
      created = ONE.equals(pair.get(0));
      value = pair.get(1);
    } else {
      created = ONE.equals(reply);
      value = null;
    }
    if (created && !mark) {
      markNow(op, projectId);
    }
    return value;
  }

  /**
   * Adds a script on a project's hash to a batch: a write as its {@linkplain EventScripts event
   * version}, which also gets the project's channel and this instance's id; with persistence, as
   * the {@linkplain PersistScripts persistence version} of that, which also gets the project's
   * persistence keys.
   */
  private Batch.Step<@Nullable Object> script(Batch batch, Script script, String projectId,
      String key, List<byte[]> args) {
    RedisChangeLog log = changeLog;
    if (log == null) {
      return EventScripts.add(batch, script, EventScripts.canvas(script), key,
          List.of(bytes(key)), bytes(channel(projectId)), args, instanceIdArg);
    }
    // The persistence version wraps the event version: its keys and argument come last.
    boolean write = PersistScripts.writes(script);
    boolean publishes = EventScripts.canvas(script) != script;
    List<byte[]> keys = new ArrayList<>(6);
    keys.add(bytes(key));
    List<byte[]> all = new ArrayList<>(args.size() + 3);
    all.addAll(args);
    if (publishes) {
      all.add(bytes(channel(projectId)));
      all.add(instanceIdArg);
    }
    keys.addAll(log.extraKeys(projectId, write));
    all.add(log.extraArg(projectId, write));
    return batch.script(PersistScripts.canvas(script), key, keys, all);
  }

  /**
   * With persistence on a Cluster, adds the step that lists the project among the dirty ones
   * after a script that may change it (pipelined after it, so a worker that takes the project off
   * the list sees the change: see {@link RedisChangeLog#forget}); else adds nothing.
   */
  private Batch.@Nullable Step<@Nullable Object> indexIfPersistent(Batch batch, Script script,
      String projectId) {
    RedisChangeLog log = changeLog;
    return log != null && PersistScripts.writes(script) ? log.index(batch, projectId) : null;
  }

  /**
   * The exception to throw for a script's failure: {@link CanvasTooLargeException} when the
   * script refused a write that would take the canvas past its object limit, else {@code e}.
   */
  private StoreException tooLarge(StoreException e, String projectId, String op) {
    Throwable cause = e.getCause();
    if (cause != null && String.valueOf(cause.getMessage()).startsWith(Scripts.LIMIT_ERROR)) {
      CanvasTooLargeException refused = new CanvasTooLargeException(projectId, maxCanvasObjects,
          op + (op.equals("putAll") ? " of a chunk" : ""));
      refused.initCause(e);
      return refused;
    }
    return e;
  }

  /** Whether a persistence script found the project not resident. */
  private boolean isCold(@Nullable Object reply) {
    return changeLog != null && reply instanceof Long n && n == PersistScripts.COLD;
  }

  /** Loads a project Redis does not hold from the repository, before the operation runs again. */
  private void loadCold(String op, String projectId, String key, int attempt) {
    if (attempt >= MAX_COLD_ATTEMPTS) {
      throw new StoreException(op + " on \"" + key + "\": the project left Redis again each of "
          + MAX_COLD_ATTEMPTS + " times it was loaded (is the canvas TTL shorter than a load?)");
    }
    requireNonNull(persistence, "persistence").load(projectId);
  }


  private String channel(String projectId) {
    return schema.projectKey(projectId, "events");
  }

  @Override
  public Subscription subscribe(String projectId, CanvasListener<T> listener) {
    Values.id("projectId", projectId);
    requireNonNull(listener, "listener");
    requireOpen();
    Subscription subscription = hub.subscribe(projectId, listener::onEvent);
    ProjectSink sink = sinks.get(projectId);
    if (sink != null) {
      StoreConfig config = backend.config();
      events.awaitOrOweResync(sink.channel, sink, config.connectTimeout().plus(config.timeout()));
    }
    return subscription;
  }

  @Override
  public String instanceId() {
    return events.instanceId();
  }

  /** Turns one project's channel messages into events for its listeners. */
  private final class ProjectSink implements RedisEvents.Sink {
    final String projectId;
    final String channel;

    ProjectSink(String projectId) {
      this.projectId = projectId;
      this.channel = channel(projectId);
    }

    @Override
    public void onMessage(byte[] message) {
      EventMessage m = EventMessage.parse(message).orElse(null);
      CanvasEvent<T> event = null;
      if (m != null) {
        switch (m.kind()) {
          case 'P' -> event = put(m);
          case 'R' -> event = new CanvasEvent.Removed<>(projectId, m.id(), m.instanceId());
          case 'C' -> event = new CanvasEvent.Cleared<>(projectId, m.instanceId());
          default -> { }
        }
      }
      if (event == null) {
        LOG.debug("Ignored a message on {} that is not a CanvasState event", channel);
        return;
      }
      hub.publish(projectId, event);
    }

    private CanvasEvent<T> put(EventMessage m) {
      try {
        return new CanvasEvent.Put<>(projectId, m.id(), Values.decode(codec, channel, m.id(), m.value()),
            m.instanceId());
      } catch (CodecException e) {
        undecodableEvents.record(channel, m.id(), e);
        return new CanvasEvent.Resync<>(projectId, ResyncReason.UNDECODABLE_EVENT);
      }
    }

    @Override
    public void onResync(ResyncReason reason) {
      hub.publish(projectId, new CanvasEvent.Resync<>(projectId, reason));
    }
  }

  private Batch.Step<@Nullable Object> mark(Batch batch, String projectId) {
    return batch.script(Scripts.MARK, activeKey, activeKeys, List.of(markArg, bytes(projectId)));
  }

  private void send(Batch batch, String projectId, boolean mark) {
    try {
      batch.run();
    } catch (RuntimeException e) {
      if (mark) {
        marks.forget(projectId);
      }
      throw e;
    }
  }

  /**
   * Marks a project that a write just created. The write itself succeeded, so a failure here
   * is logged rather than thrown; the next operation on the project marks it again.
   */
  private void markNow(String op, String projectId) {
    Batch batch = backend.batch(op);
    Batch.Step<@Nullable Object> marked = mark(batch, projectId);
    try {
      batch.run();
      marked.get();
      marks.marked(projectId);
    } catch (StoreException e) {
      marks.forget(projectId);
      LOG.warn("Could not mark project {} active after {} created it; the next access will: {}",
          projectId, op, e.getMessage());
    }
  }

  private Optional<T> decode(String key, String objectId, @Nullable Object reply) {
    if (reply == null) {
      return Optional.empty();
    }
    return Optional.of(Values.decode(codec, key, objectId, (byte[]) reply));
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this RedisCanvasStore is closed");
    }
    backend.requireOpen();
  }

  /**
   * Marks this store closed and ends its subscriptions; the connection pool and the event
   * connection stay open (they are {@link RedisStores}').
   */
  @Override
  public void close() {
    closed = true;
    hub.close();
    sinks.forEach((projectId, sink) -> events.remove(sink.channel, sink));
    sinks.clear();
  }

  @Override
  public String toString() {
    return "RedisCanvasStore[" + codec + ", " + schema + ", ttl=" + backend.config().ttl().canvasTtl()
        + (closed ? ", closed" : "") + "]";
  }
}
