package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Map;

/**
 * The scripts of {@link Scripts} for a store with persistence, and the scripts of its
 * {@link RedisChangeLog}.
 *
 * <p>A wrapped canvas script takes three more keys, last: the project's dirty hash, its persist
 * hash and its load key ({@link io.canvasstate.KeySchema} lists them), and one more argument,
 * last: the project id, or an empty string. With the project id, it takes two more keys after
 * the others, the sorted sets of dirty projects and of when they are due, and lists the project
 * there itself, atomically with the write: on a single Redis server (standalone or behind
 * Sentinel) every key can be reached from a script. On a Cluster, where that set lives in another slot, the store lists the project
 * with {@link #INDEX} in the same pipeline instead. The prologue removes the extra keys and
 * argument, so the original runs unchanged on what it always got, and first checks that
 * the project is <em>resident</em>: its objects hash or its dirty hash exists, or its load key
 * says the repository has nothing for it. If not, it returns {@link #COLD} without running the
 * original, and the store loads the project and runs it again. Its epilogue gives every object
 * the original changed a new version in the dirty hash (one per write, from the persist hash's
 * counter, never smaller than Redis' clock in microseconds, so versions keep growing even if
 * that hash is lost), followed by the change's kind ({@code u} for a write, {@code d} for a
 * remove, so that a write whose value Redis lost is never taken for a remove), and removes the project's TTL while the dirty hash exists: a project with
 * unsaved changes does not expire. Reads get the prologue and the TTL rule only.
 *
 * <p>Wrapping composes: the original may itself be a wrapped script (events), since each wrapper
 * removes its own extra keys and arguments from the ends before the inner one runs.
 */
final class PersistScripts {
  private PersistScripts() {}

  /** What a wrapped script returns for a project that is not resident. */
  static final long COLD = -1;

  private static final String PROLOGUE = """
      local __member = table.remove(ARGV)
      local __index = nil
      local __due = nil
      if __member ~= '' then
        __due = table.remove(KEYS)
        __index = table.remove(KEYS)
      end
      local __load = table.remove(KEYS)
      local __meta = table.remove(KEYS)
      local __dirty = table.remove(KEYS)
      local __empty = false
      if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', __dirty) == 0 then
        if redis.call('GET', __load) ~= 'E' then return -1 end
        __empty = true
      end
      """;

  /** Records {@code __changed} (a table of object ids, or nil) as unsaved; then the TTL rule. */
  private static final String EPILOGUE = """
      if type(__result) == 'table' and __result['err'] then return __result end
      local __wrote = __changed and #__changed > 0
      if __wrote then
        local __t = redis.call('TIME')
        local __now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)
        local __n = tonumber(redis.call('HGET', __meta, 'n') or '0') + 1
        if __n < __now * 1000 then __n = __now * 1000 end
        local __v = string.format('%.0f', __n)
        redis.call('HSET', __meta, 'n', __v)
        __v = __v .. __kind
        redis.call('PERSIST', __meta)
        for __i = 1, #__changed, 500 do
          local __pairs = {}
          for __j = __i, math.min(__i + 499, #__changed) do
            __pairs[#__pairs + 1] = __changed[__j]
            __pairs[#__pairs + 1] = __v
          end
          redis.call('HSET', __dirty, unpack(__pairs))
        end
        if __empty then redis.call('DEL', __load) end
        if __index then
          redis.call('ZADD', __index, 'NX', string.format('%.0f', __now), __member)
          redis.call('ZADD', __due, 'NX', string.format('%.0f', __now), __member)
        end
      end
      if __wrote or redis.call('EXISTS', __dirty) == 1 then redis.call('PERSIST', KEYS[1]) end
      return __result
      """;

  /**
   * Wraps {@code script}'s {@linkplain EventScripts#canvas event version} (the script itself for
   * reads), which removes its own extra key and argument before the original runs, so that the
   * original's {@code ARGV} is what {@code changed} sees. {@code before} runs after the prologue (to look at the project before
   * the original changes it); {@code changed} is a Lua expression, evaluated after the original
   * with its reply in {@code __result}, for the table of object ids it changed, or nil.
   */
  private static Script wrap(Script script, String before, String changed, char kind) {
    String body = new String(EventScripts.canvas(script).body(), UTF_8);
    return Script.of(script.name() + "+persist", PROLOGUE + before
        + "local __result = (function()\n" + body + "\nend)()\n"
        + "local __changed = " + changed + "\n"
        + "local __kind = '" + kind + "'\n"
        + EPILOGUE);
  }

  /** What a recorded change did: the letter after its version in the dirty hash. */
  static final char UPSERT = 'u';
  static final char DELETE = 'd';

  private static Script wrap(Script script, String changed, char kind) {
    return wrap(script, "", changed, kind);
  }

  /** The object id of single-object scripts, as a table. */
  private static final String ID = "{ARGV[2]}";

  private static final Map<Script, Script> CANVAS = Map.ofEntries(
      Map.entry(Scripts.GET, wrap(Scripts.GET, "nil", UPSERT)),
      Map.entry(Scripts.SLIDE, wrap(Scripts.SLIDE, "nil", UPSERT)),
      Map.entry(Scripts.PUT, wrap(Scripts.PUT,
          "(function() local t = {} for i = 2, #ARGV, 2 do t[#t + 1] = ARGV[i] end return t end)()",
          UPSERT)),
      Map.entry(Scripts.PUT_IF_ABSENT, wrap(Scripts.PUT_IF_ABSENT,
          "(not __result[2]) and " + ID + " or nil", UPSERT)),
      Map.entry(Scripts.GET_AND_PUT, wrap(Scripts.GET_AND_PUT, ID, UPSERT)),
      Map.entry(Scripts.REMOVE, wrap(Scripts.REMOVE, "__result == 1 and " + ID + " or nil",
          DELETE)),
      Map.entry(Scripts.GET_AND_REMOVE, wrap(Scripts.GET_AND_REMOVE,
          "__result and " + ID + " or nil", DELETE)),
      Map.entry(Scripts.REPLACE, wrap(Scripts.REPLACE, "__result and " + ID + " or nil", UPSERT)),
      Map.entry(Scripts.REPLACE_IF, wrap(Scripts.REPLACE_IF,
          "__result == 1 and " + ID + " or nil", UPSERT)),
      Map.entry(Scripts.REMOVE_IF, wrap(Scripts.REMOVE_IF, "__result == 1 and " + ID + " or nil",
          DELETE)),
      // Every object each chunk of a clear removes becomes an unsaved delete. (A store with
      // persistence clears only with this script: Scripts.CLEAR has no persistence version.)
      Map.entry(Scripts.CLEAR_CHUNK, wrap(Scripts.CLEAR_CHUNK, "__result[2]", DELETE)));

  /**
   * The persistence version of a canvas script on a project's hash.
   *
   * @throws IllegalArgumentException if {@code script} is not one of them
   */
  static Script canvas(Script script) {
    Script wrapped = CANVAS.get(script);
    if (wrapped == null) {
      throw new IllegalArgumentException(script + " has no persistence version");
    }
    return wrapped;
  }

  /** Whether {@code script} may change objects (so its project may become dirty). */
  static boolean writes(Script script) {
    return script != Scripts.GET && script != Scripts.SLIDE;
  }

  // ---- the change log: KEYS[1] = objects, KEYS[2] = dirty, KEYS[3] = persist (load for loads) ----

  /** Redis' clock in milliseconds, as a Lua number. */
  private static final String NOW = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      """;

  /**
   * KEYS[1] = the dirty hash, KEYS[2] = the sorted set of dirty projects, KEYS[3] = the sorted
   * set of when they are due, ARGV[1] = project id. Takes a project off both if it has no unsaved
   * changes, in one step; for a single Redis server, where every key can be reached from one
   * script. Returns 1 if it took it off.
   */
  static final Script FORGET = Script.of("forgetClean", """
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('ZREM', KEYS[3], ARGV[1])
      return redis.call('ZREM', KEYS[2], ARGV[1])
      """);

  /**
   * Lists a project among the dirty ones (and due at once), unless it is already listed.
   * KEYS[1] = the sorted set of dirty projects, KEYS[2] = the sorted set of when they are due
   * (same slot), ARGV[1] = project id, ARGV[2] = the score to use, or empty for Redis' clock.
   * Returns 1 if it was missing from either.
   */
  static final Script INDEX = Script.of("indexDirty", NOW + """
      local score = ARGV[2]
      if score == '' then score = string.format('%.0f', now) end
      local a = redis.call('ZADD', KEYS[1], 'NX', score, ARGV[1])
      local b = redis.call('ZADD', KEYS[2], 'NX', score, ARGV[1])
      if a + b > 0 then return 1 end
      return 0
      """);

  /**
   * KEYS[1] = the sorted set of dirty projects, KEYS[2] = the sorted set of when they are due,
   * ARGV[1] = most projects, ARGV[2] = lease ms. Takes the projects due now, earliest first, and
   * makes them due after the lease, so that other workers take other projects meanwhile. Returns
   * {id, time of its oldest unsaved change, ...}. Costs O(log n + the projects taken).
   */
  static final Script TAKE = Script.of("takeDue", NOW + """
      local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
      local later = string.format('%.0f', now + tonumber(ARGV[2]))
      local out = {}
      for _, id in ipairs(ids) do
        redis.call('ZADD', KEYS[2], 'XX', later, id)
        out[#out + 1] = id
        out[#out + 1] = redis.call('ZSCORE', KEYS[1], id) or string.format('%.0f', now)
      end
      return out
      """);

  /**
   * KEYS[1] = the sorted set of when dirty projects are due, ARGV[1] = project id, ARGV[2] =
   * delay ms. Makes a listed project due after the delay.
   */
  static final Script DEFER = Script.of("deferDue", NOW + """
      return redis.call('ZADD', KEYS[1], 'XX', string.format('%.0f', now + tonumber(ARGV[2])),
        ARGV[1])
      """);

  /**
   * KEYS[1..3] = objects, dirty, persist; ARGV[1] = owner, ARGV[2..] = id, value, ... (the
   * repository's copy, a bounded chunk of it). If the owner still holds the claim, writes each
   * object the hash lacks and that has no unsaved change other than a lost upsert (an upsert
   * whose value is gone); a recorded delete is kept. Returns 1 if it held the claim.
   */
  static final Script RESTORE = Script.of("restoreLost", """
      if redis.call('HGET', KEYS[3], 'owner') ~= ARGV[1] then return 0 end
      for i = 2, #ARGV, 2 do
        if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then
          local d = redis.call('HGET', KEYS[2], ARGV[i])
          if not d or string.sub(d, -1) == 'u' then
            redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
          end
        end
      end
      if redis.call('EXISTS', KEYS[2]) == 1 and redis.call('EXISTS', KEYS[1]) == 1 then
        redis.call('PERSIST', KEYS[1])
      end
      return 1
      """);

  /** KEYS[1] = the sorted set. Returns {projects, age of the oldest in ms}. */
  static final Script BACKLOG = Script.of("dirtyBacklog", NOW + """
      local n = redis.call('ZCARD', KEYS[1])
      if n == 0 then return {0, 0} end
      local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
      local age = now - tonumber(first[2])
      if age < 0 then age = 0 end
      return {n, string.format('%.0f', age)}
      """);

  /**
   * ARGV[1] = owner, ARGV[2] = lease ms, ARGV[3] = most changes. Returns {0} if another owner
   * holds the project, {1} if it is clean, else {2, fence, pending, {id, version, ...},
   * {value or nil, ...}}: the versions and values read in one step, so they match.
   */
  static final Script CLAIM = Script.of("claimDirty", NOW + """
      local owner = redis.call('HGET', KEYS[3], 'owner')
      if owner and owner ~= ARGV[1] then
        local untilv = tonumber(redis.call('HGET', KEYS[3], 'until') or '0')
        if untilv > now then return {0} end
      end
      local n = redis.call('HLEN', KEYS[2])
      if n == 0 then
        if owner then redis.call('HDEL', KEYS[3], 'owner', 'until') end
        return {1}
      end
      local fence = tonumber(redis.call('HGET', KEYS[3], 'n') or '0') + 1
      if fence < now * 1000 then fence = now * 1000 end
      local f = string.format('%.0f', fence)
      redis.call('HSET', KEYS[3], 'n', f, 'owner', ARGV[1],
        'until', string.format('%.0f', now + tonumber(ARGV[2])))
      redis.call('PERSIST', KEYS[3])
      local entries
      if n <= tonumber(ARGV[3]) then
        entries = redis.call('HGETALL', KEYS[2])
      else
        entries = redis.call('HRANDFIELD', KEYS[2], tonumber(ARGV[3]), 'WITHVALUES')
      end
      local values = {}
      for i = 1, #entries, 1000 do
        local ids = {}
        for j = i, math.min(i + 999, #entries), 2 do ids[#ids + 1] = entries[j] end
        local part = redis.call('HMGET', KEYS[1], unpack(ids))
        for k = 1, #ids do values[#values + 1] = part[k] end
      end
      return {2, f, n, entries, values}
      """);

  /**
   * ARGV[1] = owner, ARGV[2] = canvas TTL ms, ARGV[3] = project id or empty, ARGV[4..] = id,
   * version, id, version... Clears each version still current, ends the owner's claim, and gives
   * a clean project its TTL back; with a project id (a single server), KEYS[4] and KEYS[5] are the
   * sorted sets of dirty and due projects, and a clean project leaves them. Returns how many
   * changes are left.
   */
  static final Script COMPLETE = Script.of("completeDirty", """
      for i = 4, #ARGV, 2 do
        if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then
          redis.call('HDEL', KEYS[2], ARGV[i])
        end
      end
      if redis.call('HGET', KEYS[3], 'owner') == ARGV[1] then
        redis.call('HDEL', KEYS[3], 'owner', 'until')
      end
      local n = redis.call('HLEN', KEYS[2])
      if n == 0 then
        if redis.call('TYPE', KEYS[1])['ok'] == 'hash' then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        redis.call('PEXPIRE', KEYS[3], ARGV[2])
        if ARGV[3] ~= '' then
          redis.call('ZREM', KEYS[4], ARGV[3])
          redis.call('ZREM', KEYS[5], ARGV[3])
        end
      end
      return n
      """);

  /** KEYS[1] = persist hash, ARGV[1] = owner. Ends the owner's claim. */
  static final Script RELEASE = Script.of("releaseDirty", """
      if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
        return redis.call('HDEL', KEYS[1], 'owner', 'until')
      end
      return 0
      """);

  // ---- loads: KEYS[1] = objects, KEYS[2] = dirty, KEYS[3] = load key, KEYS[4] = staging hash ----

  /**
   * ARGV[1] = owner, ARGV[2] = lease ms. Returns 0 if the project is resident, 1 if the caller
   * holds the load lease (and then removes what an earlier, unfinished load left in the staging
   * hash: every load starts afresh), 2 if another owner does.
   */
  static final Script BEGIN_LOAD = Script.of("beginLoad", """
      if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
      local l = redis.call('GET', KEYS[3])
      if l == 'E' then return 0 end
      if not l or l == ARGV[1] then
        redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
        redis.call('UNLINK', KEYS[4])
        return 1
      end
      return 2
      """);

  /**
   * ARGV[1] = owner, ARGV[2] = lease ms, ARGV[3..] = id, value... One chunk of a load too big
   * for one call: adds the objects to the staging hash, where no operation sees them, while the
   * caller still holds the lease, and extends the lease (and the staging hash's lifetime, so
   * that a loader that dies leaves nothing for long). Returns 1, or 0 if the lease was lost.
   */
  static final Script LOAD_CHUNK = Script.of("loadChunk", """
      if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
      for i = 3, #ARGV, 1000 do
        redis.call('HSET', KEYS[4], unpack(ARGV, i, math.min(i + 999, #ARGV)))
      end
      redis.call('PEXPIRE', KEYS[4], ARGV[2])
      redis.call('PEXPIRE', KEYS[3], ARGV[2])
      return 1
      """);

  /**
   * ARGV[1] = owner, ARGV[2] = canvas TTL ms, ARGV[3] = 1 if {@link #LOAD_CHUNK} staged earlier
   * chunks, else 0, ARGV[4..] = id, value... (the last chunk). If the project is still not
   * resident, makes the staged objects and these the project's hash in one step ({@code RENAME},
   * constant time), or marks the project empty, and ends the load lease; readers see all of the
   * load or none of it. Returns 1 if it stored them, 0 if the project became resident meanwhile
   * or (for a staged load) the lease was lost to another loader.
   */
  static final Script FINISH_LOAD = Script.of("finishLoad", """
      local owned = redis.call('GET', KEYS[3]) == ARGV[1]
      if not owned and (ARGV[3] == '1' or redis.call('EXISTS', KEYS[4]) == 1) then return 0 end
      if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
        if owned then
          redis.call('DEL', KEYS[3])
          redis.call('UNLINK', KEYS[4])
        end
        return 0
      end
      for i = 4, #ARGV, 1000 do
        redis.call('HSET', KEYS[4], unpack(ARGV, i, math.min(i + 999, #ARGV)))
      end
      if redis.call('EXISTS', KEYS[4]) == 1 then
        redis.call('RENAME', KEYS[4], KEYS[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('DEL', KEYS[3])
      else
        redis.call('SET', KEYS[3], 'E', 'PX', ARGV[2])
      end
      return 1
      """);

  /** KEYS[1] = load key, ARGV[1] = owner. Ends the owner's load lease. */
  static final Script ABANDON_LOAD = Script.of("abandonLoad", """
      if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
      return 0
      """);
}
