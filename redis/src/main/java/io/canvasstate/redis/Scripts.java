package io.canvasstate.redis;

/**
 * The Lua scripts the stores run, each loaded once per server and called by SHA.
 *
 * <p>Rules they all follow: times come from Redis' own {@code TIME}, so every instance agrees on
 * expiry; a key of the wrong type fails the script before it writes anything (the first command
 * that touches the key is the one that fails, or an explicit type check when a script writes two
 * keys), so a foreign key is never modified; numbers are formatted with {@code %.0f} so that
 * millisecond times never turn into exponent notation; and nothing here returns a whole canvas
 * (bulk reads are pipelined commands, because a script blocks Redis while it builds its reply).
 */
final class Scripts {
  private Scripts() {}

  /** Redis' clock in milliseconds, as a Lua number. */
  private static final String NOW = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      """;

  /**
   * Fails with a WRONGTYPE error naming the key when KEYS[1] is not a hash or KEYS[2] not a
   * sorted set (a missing key is fine); for scripts that write both keys.
   */
  private static final String WRONGTYPE = """
      local function wrongtype(key, kind)
        local actual = redis.call('TYPE', key)['ok']
        if actual ~= 'none' and actual ~= kind then
          return 'WRONGTYPE Redis key "' .. key .. '" holds a ' .. actual .. ', not a ' .. kind
        end
        return nil
      end
      """;

  private static final String CHECK_HASH_AND_ZSET = WRONGTYPE + """
      local err = wrongtype(KEYS[1], 'hash') or wrongtype(KEYS[2], 'zset')
      if err then return redis.error_reply(err) end
      """;

  // ---- canvas: KEYS[1] = the project's hash, ARGV[1] = the canvas TTL in ms ----

  /** The error a script returns when a write would take a canvas past its object limit. */
  static final String LIMIT_ERROR = "CANVASLIMIT";

  /**
   * Takes the last argument off {@code ARGV} as the canvas's object limit, so that what follows
   * (and an event or persistence epilogue after it) sees the arguments it always had; defines
   * {@code refuse()}, the error a write returns after undoing what it added.
   */
  private static final String LIMIT = """
      local max = tonumber(table.remove(ARGV))
      local function refuse()
        return redis.error_reply('CANVASLIMIT ' .. KEYS[1] .. ' holds ' .. redis.call('HLEN', KEYS[1]))
      end
      """;

  /** Slides a project's lifetime, leaving a key of another type alone. Pipelined after reads. */
  static final Script SLIDE = Script.of("slide", """
      if redis.call('TYPE', KEYS[1])['ok'] == 'hash' then
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
      end
      return 0
      """);

  /**
   * ARGV[2] = object id. Returns the value or nil. A read that slides the TTL, which
   * {@link RedisCanvasStore#get} sends at most once per slide interval (a plain {@code HGET}
   * otherwise).
   *
   * <p>A script rather than a pipelined HGET + PEXPIRE: the script never sets a TTL on a key of
   * another type (PEXPIRE works on any type).
   */
  static final Script GET = Script.of("get", """
      local v = redis.call('HGET', KEYS[1], ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return v
      """);

  /**
   * ARGV[2..] = object id, value, object id, value..., then the canvas's object limit (last).
   * Writes them all and sets the lifetime in one step, so the hash can never be left without a
   * TTL. Returns 1 if it created the hash. A chunk of a {@code putAll}: the store never sends
   * more than {@link io.canvasstate.StoreConfig#chunkSize} objects at once. Refused as a whole
   * (nothing written) if the canvas would hold more objects than the limit: a single object is
   * written and taken back, which costs an {@code HLEN} only when it is new; a chunk counts the
   * new ids first ({@code HEXISTS} each) only when the canvas is near the limit.
   *
   * <p>A pipelined HSET + PEXPIRE is one round trip too and a little faster (20-23 us against
   * 24-26 us measured as for {@link #GET}), but an HSET whose PEXPIRE is lost (the connection
   * drops between them, a failover) leaves a hash that never expires; the script cannot.
   */
  static final Script PUT = Script.of("put", LIMIT + """
      local created = redis.call('EXISTS', KEYS[1]) == 0 and 1 or 0
      local count = (#ARGV - 1) / 2
      if count == 1 then
        if redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) == 1
            and redis.call('HLEN', KEYS[1]) > max then
          redis.call('HDEL', KEYS[1], ARGV[2])
          return refuse()
        end
      else
        local n = redis.call('HLEN', KEYS[1])
        if n + count > max then
          for i = 2, #ARGV, 2 do
            count = count - redis.call('HEXISTS', KEYS[1], ARGV[i])
          end
          if n + count > max then return refuse() end
        end
        for i = 2, #ARGV, 1000 do
          redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return created
      """);

  /**
   * ARGV[2] = object id, ARGV[3] = value, ARGV[4] = the object limit. Returns {created, the value
   * already there or nil}.
   */
  static final Script PUT_IF_ABSENT = Script.of("putIfAbsent", LIMIT + """
      local created = redis.call('EXISTS', KEYS[1]) == 0 and 1 or 0
      local v = redis.call('HGET', KEYS[1], ARGV[2])
      if not v then
        redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
        if redis.call('HLEN', KEYS[1]) > max then
          redis.call('HDEL', KEYS[1], ARGV[2])
          return refuse()
        end
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return {created, v}
      """);

  /**
   * ARGV[2] = object id, ARGV[3] = value, ARGV[4] = the object limit. Returns {created, the
   * previous value or nil}.
   */
  static final Script GET_AND_PUT = Script.of("getAndPut", LIMIT + """
      local created = redis.call('EXISTS', KEYS[1]) == 0 and 1 or 0
      local v = redis.call('HGET', KEYS[1], ARGV[2])
      if redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) == 1
          and redis.call('HLEN', KEYS[1]) > max then
        redis.call('HDEL', KEYS[1], ARGV[2])
        return refuse()
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return {created, v}
      """);

  /** ARGV[2] = object id. Returns the number of objects removed, 0 or 1. */
  static final Script REMOVE = Script.of("remove", """
      local n = redis.call('HDEL', KEYS[1], ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return n
      """);

  /** ARGV[2] = object id. Returns the removed value or nil. */
  static final Script GET_AND_REMOVE = Script.of("getAndRemove", """
      local v = redis.call('HGET', KEYS[1], ARGV[2])
      if v then
        redis.call('HDEL', KEYS[1], ARGV[2])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return v
      """);

  /** ARGV[2] = object id, ARGV[3] = value. Writes only if present; returns the previous value. */
  static final Script REPLACE = Script.of("replace", """
      local v = redis.call('HGET', KEYS[1], ARGV[2])
      if v then
        redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return v
      """);

  /**
   * ARGV[2] = object id, ARGV[3] = expected bytes, ARGV[4] = replacement. Returns 1 if replaced,
   * else the bytes stored (nil if none), for the caller's same-value check.
   */
  static final Script REPLACE_IF = Script.of("replaceIf", """
      local v = redis.call('HGET', KEYS[1], ARGV[2])
      local done = v == ARGV[3]
      if done then
        redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      if done then return 1 end
      return v
      """);

  /**
   * ARGV[2] = object id, ARGV[3] = expected bytes. Returns 1 if removed, else the bytes stored
   * (nil if none).
   */
  static final Script REMOVE_IF = Script.of("removeIf", """
      local v = redis.call('HGET', KEYS[1], ARGV[2])
      local done = v == ARGV[3]
      if done then
        redis.call('HDEL', KEYS[1], ARGV[2])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      if done then return 1 end
      return v
      """);

  /**
   * Deletes a project's hash unless the key holds another type. With {@code UNLINK}: Redis frees
   * a big hash's memory in a background thread, so the script costs the same for any size.
   */
  static final Script CLEAR = Script.of("clear", """
      local actual = redis.call('TYPE', KEYS[1])['ok']
      if actual ~= 'none' and actual ~= 'hash' then
        return redis.error_reply('WRONGTYPE Redis key "' .. KEYS[1] .. '" holds a ' .. actual
          .. ', not a hash')
      end
      return redis.call('UNLINK', KEYS[1])
      """);

  /**
   * {@link #CLEAR} a chunk at a time, for a store with persistence, where every removed object
   * must also be recorded as an unsaved delete (which {@link PersistScripts} does with the ids
   * this returns), so that no single script does work proportional to the canvas. ARGV[1] = the
   * chunk size. A hash of at most a chunk is unlinked whole: returns {@code {0, ids}}, with the
   * ids it held. A bigger one loses a chunk of its fields ({@code HRANDFIELD} with a count well
   * below the hash's size picks at random at a cost of about the count) and stays: returns
   * {@code {1, ids}}, with the ids removed, and the caller runs it again.
   */
  static final Script CLEAR_CHUNK = Script.of("clearChunk", """
      local actual = redis.call('TYPE', KEYS[1])['ok']
      if actual ~= 'none' and actual ~= 'hash' then
        return redis.error_reply('WRONGTYPE Redis key "' .. KEYS[1] .. '" holds a ' .. actual
          .. ', not a hash')
      end
      local n = tonumber(ARGV[1])
      if redis.call('HLEN', KEYS[1]) <= n then
        local ids = redis.call('HKEYS', KEYS[1])
        redis.call('UNLINK', KEYS[1])
        return {0, ids}
      end
      local ids = redis.call('HRANDFIELD', KEYS[1], n)
      for i = 1, #ids, 500 do
        redis.call('HDEL', KEYS[1], unpack(ids, i, math.min(i + 499, #ids)))
      end
      return {1, ids}
      """);

  // ---- active projects: KEYS[1] = the sorted set ----

  /**
   * ARGV[1] = how long the mark lasts in ms, ARGV[2] = project id. GT: a late or slow writer never
   * lowers a mark someone else raised.
   */
  static final Script MARK = Script.of("markActive", NOW + """
      return redis.call('ZADD', KEYS[1], 'GT', string.format('%.0f', now + tonumber(ARGV[1])),
        ARGV[2])
      """);

  /**
   * Drops the marks that expired (costs what expired) and returns the others with their scores,
   * as member, score, member, score...
   */
  static final Script ACTIVE = Script.of("activeProjects", NOW + """
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', now))
      return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
      """);

  /**
   * ARGV = member, score, member, score... Removes each member whose score is still at most the
   * one seen, so a project that was written (and marked again) in the meantime stays.
   */
  static final Script UNMARK = Script.of("unmarkGone", """
      local n = 0
      for i = 1, #ARGV, 2 do
        local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
        if s and tonumber(s) <= tonumber(ARGV[i + 1]) then
          n = n + redis.call('ZREM', KEYS[1], ARGV[i])
        end
      end
      return n
      """);

  // ---- presence: KEYS[1] = hash user -> JSON, KEYS[2] = sorted set user -> expiry ms ----

  /**
   * ARGV[1] = presence TTL ms, ARGV[2] = user id, ARGV[3] = value. A heartbeat. Returns the
   * user's expiry before it (nil if none) and Redis' time, for {@link EventScripts} to tell a
   * join from an update. The keys live on {@link EventScripts#PRESENCE_KEY_GRACE_MS} after the
   * presence, so that the sweep can still announce the users who expired last.
   *
   * <p>The hottest write, so it makes 6 calls and no type check up front: the ZSCORE it needs
   * anyway checks the sorted set, and the HSET checks the hash by failing, with nothing written
   * yet, when the key holds another type. Only then does it ask for the type, to name it in the
   * error. (Checking both types first and reading Redis' clock twice, as it did, made the
   * heartbeat 1.22&times; a raw pipeline; see the README's Performance section.)
   */
  static final Script PRESENCE_PUT = Script.of("presencePut", WRONGTYPE + NOW + """
      local function failed(reply, key, kind)
        return redis.error_reply(wrongtype(key, kind) or reply['err'])
      end
      local before = redis.pcall('ZSCORE', KEYS[2], ARGV[2])
      if type(before) == 'table' then return failed(before, KEYS[2], 'zset') end
      local set = redis.pcall('HSET', KEYS[1], ARGV[2], ARGV[3])
      if type(set) == 'table' then return failed(set, KEYS[1], 'hash') end
      redis.call('ZADD', KEYS[2], string.format('%.0f', now + tonumber(ARGV[1])), ARGV[2])
      local keep = tonumber(ARGV[1]) + GRACE
      redis.call('PEXPIRE', KEYS[1], keep)
      redis.call('PEXPIRE', KEYS[2], keep)
      return {before, now}
      """.replace("GRACE", Long.toString(EventScripts.PRESENCE_KEY_GRACE_MS)));

  /** ARGV[1] = user id. Returns the value if the presence has not expired, else nil. */
  static final Script PRESENCE_GET = Script.of("presenceGet", NOW + """
      local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
      if not s or tonumber(s) < now then return false end
      return redis.call('HGET', KEYS[1], ARGV[1])
      """);

  /** ARGV[1] = user id. Returns 1 if a live presence was removed, else 0. */
  static final Script PRESENCE_REMOVE = Script.of("presenceRemove", CHECK_HASH_AND_ZSET + NOW + """
      local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
      redis.call('HDEL', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      if s and tonumber(s) >= now then return 1 end
      return 0
      """);

  /** Removes the expired presences (costs what expired); returns how many. */
  static final Script PRESENCE_PRUNE = Script.of("presencePrune", CHECK_HASH_AND_ZSET + NOW + """
      local before = '(' .. string.format('%.0f', now)
      local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', before)
      for i = 1, #expired, 1000 do
        redis.call('HDEL', KEYS[1], unpack(expired, i, math.min(i + 999, #expired)))
      end
      if #expired > 0 then
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', before)
      end
      return #expired
      """);
}
