package io.canvasstate.redis;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Stream;

/**
 * The Redis ACL rules of a user that CanvasState can run under: its own keys and the commands
 * the stores send, nothing else. An administrator creates the user with
 *
 * <pre>
 * ACL SETUSER canvasstate on &gt;&lt;password&gt; resetkeys ~myapp:canvas:* ~myapp:presence:* ~myapp:projects:* ~myapp:room:* resetchannels &amp;myapp:canvas:* &amp;myapp:presence:* &amp;myapp:canvasstate:* &amp;myapp:room:* -&#64;all +...
 *
 * </pre>
 *
 * where the part after the password is {@link #rules(String) rules("myapp:")}. The channels are
 * those of the change events ({@code PUBLISH} from the write scripts, {@code SUBSCRIBE} by the
 * event connection); without them writes still work but no events are published. The library
 * never needs {@code KEYS}, {@code FLUSHALL}, {@code CONFIG} or keyspace notifications; with
 * persistence it runs {@code INFO memory} once (to warn about an {@code allkeys-*} eviction
 * policy) and {@code SCAN} for its dirty hashes every reconcile interval. Stateless and
 * thread-safe.
 */
public final class RedisAcl {
  /**
   * The commands the stores send themselves, outside scripts, and what the client sends when it
   * connects ({@code CLIENT SETNAME}, {@code SELECT} for a database other than 0) or learns a
   * cluster's layout ({@code CLUSTER SLOTS}). {@code AUTH} and {@code HELLO} are always allowed.
   */
  static final List<String> CLIENT_COMMANDS = List.of(
      // connecting, health checks, cluster layout
      "ping", "select", "client|setname", "cluster|slots",
      // following a slot being migrated (ASK)
      "asking",
      // scripts
      "evalsha", "eval",
      // plain reads: get, getAll in pieces, ids, count, activeProjects' check of each hash
      "hget", "hscan", "hkeys", "hlen", "exists", "hgetall",
      // the active-projects mark dropped by clear; the dirty projects listed by the worker
      "zrem", "zrange",
      // persistence: the eviction policy check (INFO memory), the reconciliation of dirty hashes
      "info", "scan",
      // change events, received by the event connection
      "subscribe", "unsubscribe");

  /**
   * The commands the Lua scripts call: Redis checks each against the user's rules too. Exactly
   * the commands that some {@code redis.call} or {@code redis.pcall} of some script names, which
   * a test checks, so a script cannot start needing a command this list lacks.
   */
  static final List<String> SCRIPT_COMMANDS = List.of(
      // canvas hashes and their lifetimes
      "hget", "hset", "hdel", "hexists", "hlen", "hkeys", "exists", "type", "pexpire", "unlink",
      // rooms: a user's number of connections in a room's index
      "hincrby",
      // active projects and presence expiries
      "zadd", "zrange", "zrangebyscore", "zremrangebyscore", "zrem", "zscore",
      // Redis' clock
      "time",
      // change events, published by the write scripts
      "publish",
      // persistence: unsaved changes, claims, load leases and the staged load
      "get", "set", "del", "persist", "hgetall", "hmget", "hrandfield", "zcard", "rename");

  /** Both lists, each command once, in that order. */
  static final List<String> COMMANDS = Stream.concat(CLIENT_COMMANDS.stream(),
      SCRIPT_COMMANDS.stream()).distinct().toList();

  private RedisAcl() {}

  /**
   * The rules for a user whose stores use {@code keyPrefix} ({@code CANVASSTATE_KEY_PREFIX}):
   * {@code resetkeys ~<prefix>canvas:* ~<prefix>presence:* ~<prefix>projects:* ~<prefix>room:*
   * resetchannels &<prefix>canvas:* &<prefix>presence:* &<prefix>canvasstate:* &<prefix>room:*
   * -@all +ping ...}, to follow
   * {@code ACL SETUSER <user> on ><password>}.
   *
   * @param keyPrefix the key prefix, {@code ""} for none; glob characters in it ({@code *},
   *     {@code ?}, {@code [}) act as patterns
   * @throws IllegalArgumentException if the prefix contains whitespace
   */
  public static String rules(String keyPrefix) {
    requireNonNull(keyPrefix, "keyPrefix");
    if (keyPrefix.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("keyPrefix must not contain whitespace: \""
          + keyPrefix + "\"");
    }
    StringBuilder rules = new StringBuilder("resetkeys");
    for (String pattern : List.of("canvas:*", "presence:*", "projects:*", "room:*")) {
      rules.append(" ~").append(keyPrefix).append(pattern);
    }
    rules.append(" resetchannels");
    for (String pattern : List.of("canvas:*", "presence:*", "canvasstate:*", "room:*")) {
      rules.append(" &").append(keyPrefix).append(pattern);
    }
    rules.append(" -@all");
    for (String command : COMMANDS) {
      rules.append(" +").append(command);
    }
    return rules.toString();
  }
}
