package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import io.canvasstate.internal.DecodeFailures;
import io.canvasstate.internal.Values;
import java.util.Collection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Conversions between Java values and the bytes Jedis sends and returns. Stateless. */
final class RedisBytes {
  private RedisBytes() {}

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** A number as Redis reads it in a command argument. */
  static byte[] number(long n) {
    return Long.toString(n).getBytes(UTF_8);
  }

  /** UTF-8 strings, as an immutable set in reply order. */
  static Set<String> strings(Collection<byte[]> raw) {
    if (raw.isEmpty()) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>((int) (raw.size() / 0.75f) + 1);
    for (byte[] s : raw) {
      out.add(new String(s, UTF_8));
    }
    return Collections.unmodifiableSet(out);
  }

  /**
   * Decodes the fields of a hash into an immutable map, leaving out (and recording in
   * {@code failures}) each value the codec cannot decode; of a field met twice, the later value
   * wins.
   */
  static <T> Map<String, T> decodeAll(Codec<T> codec, String key,
      Collection<Map.Entry<byte[], byte[]>> raw, DecodeFailures failures) {
    if (raw.isEmpty()) {
      return Map.of();
    }
    Map<String, T> out = new HashMap<>((int) (raw.size() / 0.75f) + 1);
    for (Map.Entry<byte[], byte[]> e : raw) {
      String field = new String(e.getKey(), UTF_8);
      try {
        out.put(field, Values.decode(codec, key, field, e.getValue()));
      } catch (CodecException ex) {
        failures.record(key, field, ex);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Splits id, value, id, value... into runs of at most {@code maxObjects} pairs and
   * {@code maxBytes} bytes of ids and values (a run always takes at least one pair).
   */
  static List<List<byte[]>> chunks(List<byte[]> pairs, int maxObjects, int maxBytes) {
    List<List<byte[]>> out = new ArrayList<>();
    int from = 0;
    while (from < pairs.size()) {
      int to = from;
      long size = 0;
      while (to < pairs.size() && (to - from) / 2 < maxObjects) {
        long pair = pairs.get(to).length + (long) pairs.get(to + 1).length;
        if (to > from && size + pair > maxBytes) {
          break;
        }
        size += pair;
        to += 2;
      }
      out.add(pairs.subList(from, to));
      from = to;
    }
    return out;
  }
}
