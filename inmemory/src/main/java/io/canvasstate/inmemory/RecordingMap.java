package io.canvasstate.inmemory;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A view of a project's objects that records the id of every object an operation changes, for
 * persistence: a put, a remove of an object that was there, a put-if-absent that stored, a
 * replace that replaced, a clear. Used under the project's lock by one operation; not
 * thread-safe.
 */
final class RecordingMap extends AbstractMap<String, byte[]> {
  private final Map<String, byte[]> target;
  private final Set<String> changed = new LinkedHashSet<>();

  RecordingMap(Map<String, byte[]> target) {
    this.target = target;
  }

  /** The ids of the objects changed so far. */
  Set<String> changed() {
    return changed;
  }

  @Override
  public byte @Nullable [] get(@Nullable Object key) {
    return target.get(key);
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return target.containsKey(key);
  }

  @Override
  public int size() {
    return target.size();
  }

  @Override
  public boolean isEmpty() {
    return target.isEmpty();
  }

  @Override
  public byte @Nullable [] put(String key, byte[] value) {
    changed.add(key);
    return target.put(key, value);
  }

  @Override
  public void putAll(Map<? extends String, ? extends byte[]> m) {
    m.forEach(this::put);
  }

  @Override
  public byte @Nullable [] remove(@Nullable Object key) {
    byte[] previous = target.remove(key);
    if (previous != null) {
      changed.add((String) key);
    }
    return previous;
  }

  @Override
  public byte @Nullable [] putIfAbsent(String key, byte[] value) {
    byte[] previous = target.putIfAbsent(key, value);
    if (previous == null) {
      changed.add(key);
    }
    return previous;
  }

  @Override
  public byte @Nullable [] replace(String key, byte[] value) {
    byte[] previous = target.replace(key, value);
    if (previous != null) {
      changed.add(key);
    }
    return previous;
  }

  @Override
  public void clear() {
    changed.addAll(target.keySet());
    target.clear();
  }

  /** A read-only view: changes go through the methods above, which record them. */
  @Override
  public Set<Map.Entry<String, byte[]>> entrySet() {
    return Collections.unmodifiableMap(target).entrySet();
  }
}
