package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The write scripts of {@link Scripts} with their change events: each publishes an
 * {@link EventMessage} on the project's (or presence's) channel in the same script, so the
 * event is atomic with the write, costs no extra round trip, and reaches subscribers in the
 * order Redis applied the writes.
 *
 * <p>A wrapped script takes two more arguments, the channel and then the writer's instance id
 * (last). Its prologue removes both from {@code ARGV}, so the original script runs unchanged on
 * what it always got. The channel is an argument, not a key: it names no key, and a key that
 * never exists would make Redis refuse the script ({@code TRYAGAIN}) for as long as its slot is
 * being migrated; its epilogue reads the original's
 * reply (and, for presence, the user's state before the write) to decide what to publish. A
 * write that changed nothing publishes nothing.
 *
 * <p>Publishing needs the ACL permission for the channels ({@code &<prefix>*}); without it the
 * write still happens and nothing is published.
 *
 * <p>A heartbeat also keeps the presence keys alive for {@link #PRESENCE_KEY_GRACE_MS} after the
 * last presence expires, so that the sweep can still find the users who expired last and publish
 * their {@code left}, instead of the keys vanishing with them.
 */
final class EventScripts {
  private EventScripts() {}

  /** How long the presence keys outlive the last heartbeat's presence, in ms. */
  static final long PRESENCE_KEY_GRACE_MS = 60_000;

  private static final String PROLOGUE = """
      local __iid = table.remove(ARGV)
      local __channel = table.remove(ARGV)
      """;

  /** Redis' clock and, when the sorted set is one, the user's expiry before the write. */
  private static final String PRESENCE_BEFORE = """
      local __t = redis.call('TIME')
      local __now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)
      local __s = false
      if redis.call('TYPE', KEYS[2])['ok'] == 'zset' then
        __s = redis.call('ZSCORE', KEYS[2], ARGV[ARGV_USER])
      end
      """;

  /**
   * Adds a script to a batch: {@code script} itself when it writes nothing ({@code publishing}
   * is the same script), else {@code publishing}, its event version, with the channel and the
   * writer's instance id after its arguments.
   */
  static Batch.Step<@Nullable Object> add(Batch batch, Script script, Script publishing,
      String key, List<byte[]> keys, byte[] channel, List<byte[]> args, byte[] instanceId) {
    if (publishing == script) {
      return batch.script(script, key, keys, args);
    }
    List<byte[]> allArgs = new ArrayList<>(args.size() + 2);
    allArgs.addAll(args);
    allArgs.add(channel);
    allArgs.add(instanceId);
    return batch.script(publishing, key, keys, allArgs);
  }

  /**
   * Lua that publishes one message of {@code kind} about id expression {@code id}. With
   * {@code redis.pcall}: an ACL user without permission for the channel still writes (the write
   * is what matters; its instances' subscriptions fail and say so in their log).
   */
  private static String publish(char kind, String id, String value) {
    return "redis.pcall('PUBLISH', __channel, '" + kind + "\\n' .. __iid .. '\\n' .. " + id
        + " .. '\\n' .. " + value + ")";
  }

  private static Script wrap(Script script, String before, String after) {
    String body = new String(script.body(), UTF_8);
    return Script.of(script.name() + "+events", PROLOGUE + before
        + "local __result = (function()\n" + body + "\nend)()\n"
        + "if type(__result) == 'table' and __result['err'] then return __result end\n"
        + after + "\nreturn __result\n");
  }

  private static Script canvas(Script script, String after) {
    return wrap(script, "", after);
  }

  // ---- canvas: the original's KEYS[1] = hash, ARGV[1] = TTL, ARGV[2] = object id ----

  private static final Map<Script, Script> CANVAS = Map.of(
      Scripts.PUT, canvas(Scripts.PUT,
          "for i = 2, #ARGV, 2 do " + publish('P', "ARGV[i]", "ARGV[i + 1]") + " end"),
      Scripts.PUT_IF_ABSENT, canvas(Scripts.PUT_IF_ABSENT,
          "if not __result[2] then " + publish('P', "ARGV[2]", "ARGV[3]") + " end"),
      Scripts.GET_AND_PUT, canvas(Scripts.GET_AND_PUT, publish('P', "ARGV[2]", "ARGV[3]")),
      Scripts.REMOVE, canvas(Scripts.REMOVE,
          "if __result == 1 then " + publish('R', "ARGV[2]", "''") + " end"),
      Scripts.GET_AND_REMOVE, canvas(Scripts.GET_AND_REMOVE,
          "if __result then " + publish('R', "ARGV[2]", "''") + " end"),
      Scripts.REPLACE, canvas(Scripts.REPLACE,
          "if __result then " + publish('P', "ARGV[2]", "ARGV[3]") + " end"),
      Scripts.REPLACE_IF, canvas(Scripts.REPLACE_IF,
          "if __result == 1 then " + publish('P', "ARGV[2]", "ARGV[4]") + " end"),
      Scripts.REMOVE_IF, canvas(Scripts.REMOVE_IF,
          "if __result == 1 then " + publish('R', "ARGV[2]", "''") + " end"),
      Scripts.CLEAR, canvas(Scripts.CLEAR,
          "if __result == 1 then " + publish('C', "''", "''") + " end"),
      // A chunk of a clear that leaves objects is seen by readers as these objects removed, so
      // it says so; the one that empties the canvas is a clear.
      Scripts.CLEAR_CHUNK, canvas(Scripts.CLEAR_CHUNK,
          "if __result[1] == 1 then for i = 1, #__result[2] do "
              + publish('R', "__result[2][i]", "''") + " end elseif #__result[2] > 0 then "
              + publish('C', "''", "''") + " end"));

  /**
   * The event-publishing version of a canvas script, or the script itself if it writes
   * nothing ({@code GET}, {@code SLIDE}, the active-project scripts).
   */
  static Script canvas(Script script) {
    return CANVAS.getOrDefault(script, script);
  }

  // ---- presence: KEYS[1] = hash, KEYS[2] = sorted set of expiries ----

  /**
   * ARGV[1] = TTL, ARGV[2] = user, ARGV[3] = value. A user whose presence had expired without
   * being swept yet left first (published now), then joins again. The heartbeat itself returns
   * the user's expiry before it and Redis' time.
   */
  private static final Script PRESENCE_PUT = wrap(Scripts.PRESENCE_PUT, "", """
      local __s, __now = __result[1], __result[2]
      if __s and tonumber(__s) < __now then
        PUBLISH_EXPIRED
      end
      if __s and tonumber(__s) >= __now then
        PUBLISH_UPDATED
      else
        PUBLISH_JOINED
      end
      """
      .replace("PUBLISH_EXPIRED", publish('E', "ARGV[2]", "''"))
      .replace("PUBLISH_UPDATED", publish('U', "ARGV[2]", "ARGV[3]"))
      .replace("PUBLISH_JOINED", publish('J', "ARGV[2]", "ARGV[3]")));

  /** ARGV[1] = user. A live presence removed left; an expired one removed had expired. */
  private static final Script PRESENCE_REMOVE = wrap(Scripts.PRESENCE_REMOVE,
      PRESENCE_BEFORE.replace("ARGV_USER", "1"),
      "if __result == 1 then " + publish('L', "ARGV[1]", "''")
          + " elseif __s then " + publish('E', "ARGV[1]", "''") + " end");

  /**
   * {@link Scripts#PRESENCE_PRUNE}, which removes the expired presences, publishing a
   * {@code left} (expired) for each before it returns how many. Run by reads and by the sweep.
   */
  private static final Script PRESENCE_PRUNE = prune();

  private static Script prune() {
    String body = new String(Scripts.PRESENCE_PRUNE.body(), UTF_8);
    String end = "return #expired";
    if (!body.contains(end)) {
      throw new IllegalStateException("Scripts.PRESENCE_PRUNE no longer ends with \"" + end
          + "\": EventScripts must learn how it reports what expired");
    }
    return Script.of(Scripts.PRESENCE_PRUNE.name() + "+events", PROLOGUE + body.replace(end,
        "for i = 1, #expired do " + publish('E', "expired[i]", "''") + " end\n" + end));
  }

  private static final Map<Script, Script> PRESENCE = Map.of(
      Scripts.PRESENCE_PUT, PRESENCE_PUT,
      Scripts.PRESENCE_REMOVE, PRESENCE_REMOVE,
      Scripts.PRESENCE_PRUNE, PRESENCE_PRUNE);

  /** The event-publishing version of a presence script, or the script itself for reads. */
  static Script presence(Script script) {
    return PRESENCE.getOrDefault(script, script);
  }
}
