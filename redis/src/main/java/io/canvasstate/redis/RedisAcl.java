package io.canvasstate.redis;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The Redis ACL rules of a user that CanvasState can run under: its own keys and the commands
 * the stores send, nothing else. An administrator creates the user with
 *
 * <pre>
 * ACL SETUSER canvasstate on &gt;&lt;password&gt; resetkeys ~myapp:canvas:* ~myapp:presence:* ~myapp:projects:* resetchannels &amp;myapp:canvas:* &amp;myapp:presence:* &amp;myapp:canvasstate:* -&#64;all +...
 *
 * </pre>
 *
 * where the part after the password is {@link #rules(String) rules("myapp:")}. The channels are
 * those of the change events ({@code PUBLISH} from the write scripts, {@code SUBSCRIBE} by the
 * event connection); without them writes still work but no events are published. The library
 * never needs {@code KEYS}, {@code SCAN}, {@code FLUSHALL}, {@code CONFIG} or keyspace
 * notifications. Stateless and thread-safe.
 */
public final class RedisAcl {
  /**
   * The commands the stores send, directly or from their Lua scripts (Redis checks the commands
   * a script calls against the user's rules too), and what the client sends when it connects
   * ({@code CLIENT SETNAME}, {@code SELECT} for a database other than 0) or learns a cluster's
   * layout ({@code CLUSTER SLOTS}). {@code AUTH} and {@code HELLO} are always allowed.
   */
  static final List<String> COMMANDS = List.of(
      // connecting, health checks, cluster layout
      "ping", "select", "client|setname", "cluster|slots",
      // following a slot being migrated (ASK)
      "asking",
      // scripts
      "evalsha", "eval",
      // canvas hashes
      "hget", "hset", "hdel", "hgetall", "hkeys", "hlen", "exists", "pexpire", "del", "type",
      // sorted sets of active projects and users
      "zadd", "zrange", "zrangebyscore", "zremrangebyscore", "zrem", "zscore",
      // Redis' clock, inside scripts
      "time",
      // change events: published by the write scripts, received by the event connection
      "publish", "subscribe", "unsubscribe");

  private RedisAcl() {}

  /**
   * The rules for a user whose stores use {@code keyPrefix} ({@code CANVASSTATE_KEY_PREFIX}):
   * {@code resetkeys ~<prefix>canvas:* ~<prefix>presence:* ~<prefix>projects:* resetchannels
   * &<prefix>canvas:* &<prefix>presence:* &<prefix>canvasstate:* -@all +ping ...}, to follow
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
    for (String pattern : List.of("canvas:*", "presence:*", "projects:*")) {
      rules.append(" ~").append(keyPrefix).append(pattern);
    }
    rules.append(" resetchannels");
    for (String pattern : List.of("canvas:*", "presence:*", "canvasstate:*")) {
      rules.append(" &").append(keyPrefix).append(pattern);
    }
    rules.append(" -@all");
    for (String command : COMMANDS) {
      rules.append(" +").append(command);
    }
    return rules.toString();
  }
}
