package io.canvasstate.internal;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasStore;
import io.canvasstate.CodecException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ConcurrentMap} view of one project that {@link CanvasStore#asMap} returns.
 *
 * <p>Every method maps to one atomic store operation; {@code compute}, {@code merge} and the
 * other {@code ConcurrentMap} defaults retry over {@code putIfAbsent}/{@code replace}/
 * {@code remove(k, v)}, as {@code ConcurrentMap} specifies. Keys that are not valid ids are
 * absent to readers and rejected with {@link IllegalArgumentException} by writers. Thread-safe.
 */
public final class CanvasMapView<T> extends AbstractMap<String, T>
    implements ConcurrentMap<String, T> {
  private final CanvasStore<T> store;
  private final String projectId;
  private final EntrySet entrySet = new EntrySet();

  public CanvasMapView(CanvasStore<T> store, String projectId) {
    this.store = requireNonNull(store, "store");
    this.projectId = requireNonNull(projectId, "projectId");
  }

  /** The key as an object id, or null if it cannot name a stored object. */
  private static @Nullable String asId(@Nullable Object key) {
    if (!(key instanceof String id)) {
      return null;
    }
    try {
      return io.canvasstate.KeySchema.requireValidId("objectId", id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public @Nullable T get(@Nullable Object key) {
    requireNonNull(key, "key");
    String id = asId(key);
    return id == null ? null : store.get(projectId, id).orElse(null);
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return get(key) != null;
  }

  @Override
  public int size() {
    return store.count(projectId);
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public @Nullable T put(String key, T value) {
    return store.getAndPut(projectId, key, value).orElse(null);
  }

  @Override
  public void putAll(Map<? extends String, ? extends T> m) {
    // Widening the key type is safe: the map is only read.
    @SuppressWarnings("unchecked")
    Map<String, ? extends T> objects = (Map<String, ? extends T>) m;
    store.putAll(projectId, objects);
  }

  @Override
  public @Nullable T remove(@Nullable Object key) {
    requireNonNull(key, "key");
    String id = asId(key);
    return id == null ? null : store.getAndRemove(projectId, id).orElse(null);
  }

  @Override
  public void clear() {
    store.clear(projectId);
  }

  @Override
  public @Nullable T putIfAbsent(String key, T value) {
    return store.putIfAbsent(projectId, key, value).orElse(null);
  }

  @Override
  public boolean remove(@Nullable Object key, @Nullable Object value) {
    requireNonNull(key, "key");
    String id = asId(key);
    if (id == null || value == null) {
      return false;
    }
    try {
      @SuppressWarnings("unchecked") // a value of another type fails to encode, or never matches
      T expected = (T) value;
      return store.remove(projectId, id, expected);
    } catch (ClassCastException | CodecException e) {
      // Stores encode through Values.encode, which reports a codec's ClassCastException as a
      // CodecException; either way the value cannot be the one stored, as for ConcurrentHashMap.
      return false;
    }
  }

  @Override
  public boolean replace(String key, T oldValue, T newValue) {
    return store.replace(projectId, key, oldValue, newValue);
  }

  @Override
  public @Nullable T replace(String key, T value) {
    return store.replace(projectId, key, value).orElse(null);
  }

  @Override
  public Set<Map.Entry<String, T>> entrySet() {
    return entrySet;
  }

  /** The entries, iterated over a snapshot taken by one {@code getAll}. */
  private final class EntrySet extends AbstractSet<Map.Entry<String, T>> {
    @Override
    public Iterator<Map.Entry<String, T>> iterator() {
      Iterator<Map.Entry<String, T>> snapshot = store.getAll(projectId).entrySet().iterator();
      return new Iterator<>() {
        private @Nullable String last;

        @Override
        public boolean hasNext() {
          return snapshot.hasNext();
        }

        @Override
        public Map.Entry<String, T> next() {
          Map.Entry<String, T> e = snapshot.next();
          last = e.getKey();
          return new WriteThroughEntry(e.getKey(), e.getValue());
        }

        @Override
        public void remove() {
          String key = last;
          if (key == null) {
            throw new IllegalStateException("next() has not been called, or remove() was");
          }
          last = null;
          store.remove(projectId, key);
        }
      };
    }

    @Override
    public int size() {
      return CanvasMapView.this.size();
    }

    @Override
    public boolean isEmpty() {
      return CanvasMapView.this.isEmpty();
    }

    @Override
    public boolean contains(@Nullable Object o) {
      if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null) {
        return false;
      }
      T current = get(e.getKey());
      return current != null && current.equals(e.getValue());
    }

    @Override
    public boolean remove(@Nullable Object o) {
      return o instanceof Map.Entry<?, ?> e && e.getKey() != null
          && CanvasMapView.this.remove(e.getKey(), e.getValue());
    }

    @Override
    public void clear() {
      CanvasMapView.this.clear();
    }
  }

  /** An entry whose {@code setValue} writes to the store, as {@code ConcurrentHashMap}'s does. */
  private final class WriteThroughEntry extends AbstractMap.SimpleEntry<String, T> {
    private static final long serialVersionUID = 1L;

    WriteThroughEntry(String key, T value) {
      super(key, value);
    }

    @Override
    public T setValue(T value) {
      requireNonNull(value, "value");
      T previous = super.setValue(value);
      store.put(projectId, getKey(), value);
      return previous;
    }
  }
}
