package io.canvasstate.inmemory;

import static java.util.Objects.requireNonNull;

import io.canvasstate.Codec;
import io.canvasstate.KeySchema;
import io.canvasstate.internal.Values;
import io.canvasstate.persistence.CanvasRepository;
import io.canvasstate.persistence.ProjectChanges;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link CanvasRepository} in this process's memory, with the contract's semantics (fences,
 * idempotent saves): the repository of unit tests that exercise persistence without a disk or a
 * database. Values are kept encoded, so a caller that changes an object after a save or a load
 * does not change what is kept.
 *
 * <p>Thread-safe: each project's saves are atomic.
 *
 * @param <T> the type of the canvas objects
 */
public final class InMemoryCanvasRepository<T> implements CanvasRepository<T> {
  private final Codec<T> codec;
  private final ConcurrentHashMap<String, Project> projects = new ConcurrentHashMap<>();

  /** A project's objects and the largest fence applied; guarded by its monitor. */
  private static final class Project {
    final Map<String, byte[]> objects = new LinkedHashMap<>();
    long fence;
  }

  private InMemoryCanvasRepository(Codec<T> codec) {
    this.codec = codec;
  }

  /** An empty repository that keeps values encoded with {@code codec}. */
  public static <T> InMemoryCanvasRepository<T> create(Codec<T> codec) {
    return new InMemoryCanvasRepository<>(requireNonNull(codec, "codec"));
  }

  @Override
  public Map<String, T> load(String projectId) {
    KeySchema.requireValidId("projectId", projectId);
    Project p = projects.get(projectId);
    if (p == null) {
      return Map.of();
    }
    Map<String, byte[]> copy;
    synchronized (p) {
      copy = new HashMap<>(p.objects);
    }
    Map<String, T> out = new HashMap<>();
    copy.forEach((id, bytes) -> out.put(id, Values.decode(codec, "repository " + projectId, id,
        bytes)));
    return Map.copyOf(out);
  }

  @Override
  public boolean save(ProjectChanges<T> changes) {
    requireNonNull(changes, "changes");
    Map<String, byte[]> encoded = new LinkedHashMap<>();
    changes.upserts().forEach((id, value) ->
        encoded.put(id, Values.encode(codec, id, value, Integer.MAX_VALUE)));
    Project p = projects.computeIfAbsent(changes.projectId(), id -> new Project());
    synchronized (p) {
      if (changes.fence() < p.fence) {
        return false;
      }
      p.fence = changes.fence();
      p.objects.putAll(encoded);
      changes.deletes().forEach(p.objects::remove);
    }
    return true;
  }

  /** How many projects have (or had) objects saved here. */
  public int projectCount() {
    return projects.size();
  }

  @Override
  public String toString() {
    return "InMemoryCanvasRepository[" + codec + ", " + projects.size() + " projects]";
  }
}
