package io.canvasstate.internal;

import io.canvasstate.Codec;
import io.canvasstate.CodecException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts stored values that could not be decoded during bulk reads, and logs each key and
 * field once (up to a bound, so a corrupted store cannot grow memory or flood the log).
 * Thread-safe. Not API.
 */
public final class DecodeFailures {
  private static final Logger LOG = LoggerFactory.getLogger("io.canvasstate.decode");
  private static final int MAX_REMEMBERED = 10_000;

  private final LongAdder count = new LongAdder();
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /** Records a value left out of a bulk read; logs it the first time this key and field fail. */
  public void record(String key, String field, CodecException e) {
    count.increment();
    String where = key + " " + field;
    if (logged.size() < MAX_REMEMBERED && logged.add(where)) {
      LOG.warn("Left out an undecodable value (reported once per key and field): {}",
          e.getMessage());
    }
  }

  /**
   * Decodes the values of a bulk read (the fields of {@code key}), leaving out and recording each
   * one the codec cannot decode.
   *
   * @return an immutable map
   */
  public <T> Map<String, T> decodeAll(Codec<T> codec, String key, Map<String, byte[]> raw) {
    if (raw.isEmpty()) {
      return Map.of();
    }
    Map<String, T> out = new HashMap<>(raw.size() * 4 / 3 + 1);
    for (Map.Entry<String, byte[]> e : raw.entrySet()) {
      try {
        out.put(e.getKey(), Values.decode(codec, key, e.getKey(), e.getValue()));
      } catch (CodecException ce) {
        record(key, e.getKey(), ce);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** How many values have been left out of bulk reads so far. */
  public long count() {
    return count.sum();
  }
}
