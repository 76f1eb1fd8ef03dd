package io.canvasstate.internal;

import io.canvasstate.CodecException;
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

  /** How many values have been left out of bulk reads so far. */
  public long count() {
    return count.sum();
  }
}
