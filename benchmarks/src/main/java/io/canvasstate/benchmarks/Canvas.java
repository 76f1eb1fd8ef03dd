package io.canvasstate.benchmarks;

import io.canvasstate.Codec;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * A project planted in Redis for a benchmark ({@link Env#plantProject}, both layouts), and how
 * the library and the baselines address its objects. Its arrays are not copied: callers only
 * read them.
 */
final class Canvas {
  final String project;
  final Codec<Object> codec;
  final String[] ids;
  /** The ids as hash fields. */
  final byte[][] fields;
  /** The objects as the codec takes them: {@link Shape}s, or their JSON for raw. */
  final Object[] values;
  /** The project's hash. */
  final byte[] hash;

  private Canvas(String project, String codecName, List<Shape> shapes) {
    this.project = project;
    this.codec = Data.codec(codecName);
    this.ids = shapes.stream().map(Shape::id).toArray(String[]::new);
    this.fields = shapes.stream().map(s -> Env.bytes(s.id())).toArray(byte[][]::new);
    this.values = Data.values(codecName, shapes).toArray();
    this.hash = Env.objectsKey(project);
  }

  /**
   * Plants {@link Data#shapes}(n) as {@code project}, for the codec named {@code jackson} or
   * {@code raw}.
   */
  static Canvas plant(UnifiedJedis jedis, String project, int n, String codecName) {
    List<Shape> shapes = Data.shapes(n);
    Canvas canvas = new Canvas(project, codecName, shapes);
    Env.plantProject(jedis, project, List.of(canvas.ids), Data.json(shapes));
    return canvas;
  }
}
