package io.canvasstate.redis;

import static io.canvasstate.redis.RedisBytes.bytes;
import static io.canvasstate.redis.RedisBytes.number;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasTooLargeException;
import io.canvasstate.KeySchema;
import io.canvasstate.persistence.ChangeLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.resps.Tuple;

/**
 * The {@link ChangeLog} of a {@link RedisCanvasStore} with persistence: per project, a dirty
 * hash (object id &rarr; version) and a persist hash (version counter, claim), both under the
 * project's hash tag, and one sorted set listing the dirty projects (see {@link KeySchema}).
 *
 * <p>Claims, completions and loads are one script each on the project's keys, so they are
 * atomic with the writes they race; times come from Redis' clock, so every instance agrees on
 * when a lease ends. On a single Redis server (standalone or Sentinel) the write script also
 * lists its project among the dirty ones, and {@link #forget} takes a clean project off the list
 * in one script. On a Cluster the list is in another slot than the project: a write lists its
 * project in the same pipeline, after the write, and {@link #forget} takes a project off the
 * list first and checks its dirty hash after, listing it again if a change arrived in between,
 * so a dirty project is never left off by a worker; one whose listing step failed after its write
 * succeeded is found by {@link #relist()}. Thread-safe.
 */
final class RedisChangeLog implements ChangeLog {
  private static final Long ZERO = 0L;
  private static final Long ONE = 1L;
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] ONE_ARG = number(1);
  private static final byte[] ZERO_ARG = number(0);

  private final RedisBackend backend;
  private final KeySchema schema;
  private final byte[] ttlArg;
  /** How long a loader may take between two chunks of a load, in ms: the load lease. */
  private final byte[] leaseArg;
  private final int chunkSize;
  private final int chunkBytes;
  private final int maxCanvasObjects;
  private final String indexKey;
  /** The list of dirty projects alone. */
  private final List<byte[]> indexKeys;
  /** The list of dirty projects and the sorted set of when they are due (same slot). */
  private final List<byte[]> listKeys;
  private final byte[] dueKey;
  /** Whether scripts can reach the list of dirty projects: not on a Cluster. */
  private final boolean singleServer;

  /**
   * The change log of a store on {@code backend}; {@code singleServer} when every key can be
   * reached from one script (not a Cluster).
   */
  RedisChangeLog(RedisBackend backend, boolean singleServer, Duration loadLease) {
    this.backend = backend;
    this.leaseArg = number(loadLease.toMillis());
    this.chunkSize = backend.config().chunkSize();
    this.chunkBytes = backend.config().chunkBytes();
    this.maxCanvasObjects = backend.config().maxCanvasObjects();
    this.singleServer = singleServer;
    this.schema = backend.config().keySchema();
    this.ttlArg = number(backend.config().ttl().canvasTtl().toMillis());
    this.indexKey = schema.dirtyProjectsKey();
    this.indexKeys = List.of(bytes(indexKey));
    this.dueKey = bytes(schema.dueProjectsKey());
    this.listKeys = List.of(indexKeys.get(0), dueKey);
  }

  /**
   * The keys a persistence script appends to a project's objects key: dirty, persist, load, and
   * for a write on a single server the list of dirty projects.
   */
  List<byte[]> extraKeys(String projectId, boolean write) {
    byte[] dirty = bytes(schema.projectKey(projectId, "dirty"));
    byte[] persist = bytes(schema.projectKey(projectId, "persist"));
    byte[] load = bytes(schema.projectKey(projectId, "load"));
    return write && singleServer ? List.of(dirty, persist, load, indexKeys.get(0), dueKey)
        : List.of(dirty, persist, load);
  }

  /** The argument a persistence script appends: the project id if it lists the project itself. */
  byte[] extraArg(String projectId, boolean write) {
    return write && singleServer ? bytes(projectId) : EMPTY;
  }

  /**
   * Adds the step that lists a project among the dirty ones, unless it is listed, to a batch,
   * on a Cluster; nothing on a single server, where the write script lists it.
   */
  Batch.@Nullable Step<@Nullable Object> index(Batch batch, String projectId) {
    if (singleServer) {
      return null;
    }
    return batch.script(PersistScripts.INDEX, indexKey, listKeys,
        List.of(bytes(projectId), EMPTY));
  }

  @Override
  public List<DirtyProject> dirtyProjects(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    Batch batch = backend.batch("dirtyProjects");
    Batch.Step<List<Tuple>> listed =
        batch.command(indexKey, p -> p.zrangeWithScores(indexKeys.get(0), 0, limit - 1L));
    batch.run();
    List<DirtyProject> out = new ArrayList<>();
    for (Tuple t : listed.get()) {
      String projectId = new String(t.getBinaryElement(), UTF_8);
      try {
        out.add(new DirtyProject(projectId, (long) t.getScore()));
      } catch (IllegalArgumentException notOurs) {
        // a member no CanvasState store wrote: neither saved nor touched
      }
    }
    return List.copyOf(out);
  }

  @Override
  public List<DirtyProject> takeDue(int limit, Duration lease) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    List<?> reply = (List<?>) run("takeDue", indexKey, PersistScripts.TAKE, listKeys,
        List.of(number(limit), number(lease.toMillis())));
    List<DirtyProject> out = new ArrayList<>(reply.size() / 2);
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      String projectId = new String((byte[]) reply.get(i), UTF_8);
      long since = Long.parseLong(new String((byte[]) reply.get(i + 1), UTF_8));
      try {
        out.add(new DirtyProject(projectId, since));
      } catch (IllegalArgumentException notOurs) {
        // a member no CanvasState store wrote: neither saved nor touched
      }
    }
    return List.copyOf(out);
  }

  @Override
  public void defer(String projectId, Duration delay) {
    run("defer", indexKey, PersistScripts.DEFER, List.of(dueKey),
        List.of(bytes(projectId), number(Math.max(0, delay.toMillis()))));
  }

  @Override
  public int relist() {
    backend.requireOpen();
    String pattern = RelistScan.pattern(schema);
    int listed = 0;
    for (List<String> keys : RelistScan.dirtyHashes(backend, pattern)) {
      Batch batch = backend.batch("relist");
      List<Batch.Step<@Nullable Object>> steps = new ArrayList<>(keys.size());
      for (String key : keys) {
        String projectId = RelistScan.projectId(schema, key);
        if (projectId != null) {
          steps.add(batch.script(PersistScripts.INDEX, indexKey, listKeys,
              List.of(bytes(projectId), EMPTY)));
        }
      }
      if (steps.isEmpty()) {
        continue;
      }
      batch.run();
      for (Batch.Step<@Nullable Object> step : steps) {
        if (ONE.equals(step.get())) {
          listed++;
        }
      }
    }
    return listed;
  }

  @Override
  public boolean restore(Claim claim, Map<String, byte[]> objects) {
    String key = schema.objectsKey(claim.projectId());
    List<byte[]> args = new ArrayList<>(1 + 2 * objects.size());
    args.add(bytes(claim.owner()));
    objects.forEach((objectId, value) -> {
      args.add(bytes(objectId));
      args.add(value);
    });
    return ONE.equals(run("restore", key, PersistScripts.RESTORE,
        projectKeys(claim.projectId(), key), args));
  }

  @Override
  public Backlog backlog() {
    List<?> reply = (List<?>) run("backlog", indexKey, PersistScripts.BACKLOG, indexKeys,
        List.of());
    long projects = (Long) reply.get(0);
    long age = reply.get(1) instanceof byte[] b ? Long.parseLong(new String(b, UTF_8)) : 0;
    return new Backlog((int) Math.min(Integer.MAX_VALUE, projects), Duration.ofMillis(age));
  }

  @Override
  public Claim claim(String projectId, String owner, Duration lease, int maxChanges) {
    requireNonNull(owner, "owner");
    String key = schema.objectsKey(projectId);
    List<?> reply = (List<?>) run("claim", key, PersistScripts.CLAIM, projectKeys(projectId, key),
        List.of(bytes(owner), number(lease.toMillis()), number(maxChanges)));
    long status = (Long) reply.get(0);
    if (status == 0) {
      return Claim.held(projectId, owner);
    }
    if (status == 1) {
      return Claim.clean(projectId, owner);
    }
    long fence = Long.parseLong(new String((byte[]) reply.get(1), UTF_8));
    int pending = (int) Math.min(Integer.MAX_VALUE, (Long) reply.get(2));
    List<?> entries = (List<?>) reply.get(3);
    List<?> values = (List<?>) reply.get(4);
    List<Change> changes = new ArrayList<>(entries.size() / 2);
    for (int i = 0, v = 0; i + 1 < entries.size(); i += 2, v++) {
      String objectId = new String((byte[]) entries.get(i), UTF_8);
      String version = new String((byte[]) entries.get(i + 1), UTF_8);
      byte[] value = (byte[]) values.get(v);
      char kind = version.isEmpty() ? '?' : version.charAt(version.length() - 1);
      changes.add(switch (kind) {
        case PersistScripts.UPSERT -> new Change(objectId, version, Kind.UPSERT, value);
        case PersistScripts.DELETE -> new Change(objectId, version, Kind.DELETE, value);
        // recorded by an earlier release, without its kind
        default -> new Change(objectId, version, value);
      });
    }
    return new Claim(ClaimStatus.CLAIMED, projectId, owner, fence, changes, pending);
  }

  @Override
  public int complete(Claim claim, Collection<Change> saved) {
    String projectId = claim.projectId();
    String key = schema.objectsKey(projectId);
    List<byte[]> args = new ArrayList<>(3 + 2 * saved.size());
    args.add(bytes(claim.owner()));
    args.add(ttlArg);
    args.add(singleServer ? bytes(projectId) : EMPTY);
    for (Change c : saved) {
      args.add(bytes(c.objectId()));
      args.add(bytes(c.version()));
    }
    List<byte[]> keys = new ArrayList<>(projectKeys(projectId, key));
    if (singleServer) {
      keys.addAll(listKeys); // the script unlists a clean project itself
    }
    Long left = (Long) run("complete", key, PersistScripts.COMPLETE, keys, args);
    int remaining = (int) Math.min(Integer.MAX_VALUE, requireNonNull(left, "reply"));
    if (remaining == 0 && !singleServer) {
      unlist(projectId, EMPTY); // a change racing this is listed again as of now
    }
    return remaining;
  }

  @Override
  public void release(Claim claim) {
    String key = schema.projectKey(claim.projectId(), "persist");
    run("release", key, PersistScripts.RELEASE, List.of(bytes(key)),
        List.of(bytes(claim.owner())));
  }

  @Override
  public void forget(DirtyProject project) {
    String projectId = project.projectId();
    byte[] member = bytes(projectId);
    if (singleServer) {
      String dirty = schema.projectKey(projectId, "dirty");
      run("forget", dirty, PersistScripts.FORGET,
          List.of(bytes(dirty), indexKeys.get(0), dueKey), List.of(member));
      return;
    }
    unlist(projectId, number(project.since()));
  }

  /**
   * On a Cluster: takes a project off the lists, then lists it again (scored {@code since}, or
   * Redis' clock if empty) if its dirty hash has changes.
   */
  private void unlist(String projectId, byte[] since) {
    byte[] member = bytes(projectId);
    Batch unlist = backend.batch("forget");
    Batch.Step<Long> removed = unlist.command(indexKey, p -> p.zrem(indexKeys.get(0), member));
    Batch.Step<Long> undue = unlist.command(indexKey, p -> p.zrem(dueKey, member));
    unlist.run();
    removed.get();
    undue.get();
    // Only now look at the dirty hash: a change recorded before this read is seen here, and one
    // recorded after it lists the project again itself.
    String dirty = schema.projectKey(projectId, "dirty");
    byte[] dirtyKey = bytes(dirty);
    Batch check = backend.batch("forget");
    Batch.Step<Long> left = check.command(dirty, p -> p.hlen(dirtyKey));
    check.run();
    if (!ZERO.equals(left.get())) {
      run("forget", indexKey, PersistScripts.INDEX, listKeys, List.of(member, since));
    }
  }

  @Override
  public LoadStatus beginLoad(String projectId, String owner, Duration lease) {
    String key = schema.objectsKey(projectId);
    Object reply = run("beginLoad", key, PersistScripts.BEGIN_LOAD, projectKeysForLoad(projectId, key),
        List.of(bytes(owner), number(lease.toMillis())));
    if (ZERO.equals(reply)) {
      return LoadStatus.RESIDENT;
    }
    return ONE.equals(reply) ? LoadStatus.LOAD : LoadStatus.WAIT;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A load of more than {@link io.canvasstate.StoreConfig#chunkSize} objects (or
   * {@link io.canvasstate.StoreConfig#chunkBytes} bytes) is written in chunks, one script each,
   * to a staging hash no operation reads, while the lease is held; the last script makes it the
   * project's hash in one step. Readers thus see the whole load or nothing, and a loader that
   * fails halfway leaves only the staging hash, which the next load replaces and which expires
   * with the lease.
   *
   * @throws CanvasTooLargeException if the project has more objects than
   *     {@link io.canvasstate.StoreConfig#maxCanvasObjects}; the lease is given up and nothing
   *     is stored
   */
  @Override
  public boolean finishLoad(String projectId, String owner, Map<String, byte[]> objects) {
    String key = schema.objectsKey(projectId);
    if (objects.size() > maxCanvasObjects) {
      abandonLoad(projectId, owner);
      throw new CanvasTooLargeException(projectId, maxCanvasObjects,
          "loading its " + objects.size() + " objects from the repository");
    }
    List<byte[]> pairs = new ArrayList<>(2 * objects.size());
    objects.forEach((objectId, value) -> {
      pairs.add(bytes(objectId));
      pairs.add(value);
    });
    List<byte[]> keys = projectKeysForLoad(projectId, key);
    List<List<byte[]>> chunks = RedisBytes.chunks(pairs, chunkSize, chunkBytes);
    for (int i = 0; i < chunks.size() - 1; i++) {
      List<byte[]> args = new ArrayList<>(2 + chunks.get(i).size());
      args.add(bytes(owner));
      args.add(leaseArg);
      args.addAll(chunks.get(i));
      if (!ONE.equals(run("loadChunk", key, PersistScripts.LOAD_CHUNK, keys, args))) {
        return false; // the lease went to another loader, whose load counts
      }
    }
    List<byte[]> last = chunks.isEmpty() ? List.of() : chunks.get(chunks.size() - 1);
    List<byte[]> args = new ArrayList<>(3 + last.size());
    args.add(bytes(owner));
    args.add(ttlArg);
    args.add(chunks.size() > 1 ? ONE_ARG : ZERO_ARG);
    args.addAll(last);
    return ONE.equals(run("finishLoad", key, PersistScripts.FINISH_LOAD, keys, args));
  }

  @Override
  public void abandonLoad(String projectId, String owner) {
    String key = schema.projectKey(projectId, "load");
    run("abandonLoad", key, PersistScripts.ABANDON_LOAD, List.of(bytes(key)),
        List.of(bytes(owner)));
  }

  /** Objects, dirty and persist keys. */
  private List<byte[]> projectKeys(String projectId, String objectsKey) {
    return List.of(bytes(objectsKey), bytes(schema.projectKey(projectId, "dirty")),
        bytes(schema.projectKey(projectId, "persist")));
  }

  /** Objects, dirty, load and staging keys. */
  private List<byte[]> projectKeysForLoad(String projectId, String objectsKey) {
    return List.of(bytes(objectsKey), bytes(schema.projectKey(projectId, "dirty")),
        bytes(schema.projectKey(projectId, "load")), bytes(schema.projectKey(projectId, "loading")));
  }

  private @Nullable Object run(String op, String key, Script script, List<byte[]> keys,
      List<byte[]> args) {
    backend.requireOpen();
    Batch batch = backend.batch(op);
    Batch.Step<@Nullable Object> step = batch.script(script, key, keys, args);
    batch.run();
    return step.get();
  }

  @Override
  public String toString() {
    return "RedisChangeLog[" + schema + "]";
  }
}
