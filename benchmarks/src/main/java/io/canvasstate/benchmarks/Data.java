package io.canvasstate.benchmarks;

import io.canvasstate.Codec;
import io.canvasstate.JacksonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * The data every benchmark reads and writes: deterministic, so the library and its baseline (and
 * every JMH fork) see the same bytes. Canvas objects are {@link Shape}s of 300 to 600 bytes of
 * JSON (about 450 on average) with UUID ids; presences are {@link Cursor}s. Stateless.
 */
final class Data {
  static final JacksonCodec<Shape> SHAPES = JacksonCodec.of(Shape.class);
  static final JacksonCodec<Cursor> CURSORS = JacksonCodec.of(Cursor.class);
  private static final String[] TYPES = {"rect", "ellipse", "text", "path", "arrow", "sticky"};
  private static final String[] COLORS = {"#e63946", "#f1faee", "#a8dadc", "#457b9d", "#1d3557"};
  private static final String WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed"
      + " do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam";

  private Data() {}

  /** The codec a benchmark's {@code codec} parameter names: {@code jackson} or {@code raw}. */
  @SuppressWarnings("unchecked")
  static Codec<Object> codec(String name) {
    return switch (name) {
      case "jackson" -> (Codec<Object>) (Codec<?>) SHAPES;
      case "raw" -> (Codec<Object>) (Codec<?>) Codec.string();
      default -> throw new IllegalArgumentException("codec must be jackson or raw: " + name);
    };
  }

  /** The n objects of a canvas, in a fixed order. */
  static List<Shape> shapes(int n) {
    Random rnd = new Random(42);
    List<Shape> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = new UUID(rnd.nextLong(), rnd.nextLong()).toString();
      int words = 2 + rnd.nextInt(30);
      double[] points = new double[2 * rnd.nextInt(8)];
      for (int p = 0; p < points.length; p++) {
        points[p] = Math.round(rnd.nextDouble() * 100_000) / 100.0;
      }
      out.add(new Shape(id, TYPES[rnd.nextInt(TYPES.length)], round(rnd, 4000), round(rnd, 4000),
          round(rnd, 800), round(rnd, 600), rnd.nextInt(4) == 0 ? round(rnd, 360) : 0.0, i,
          COLORS[rnd.nextInt(COLORS.length)], COLORS[rnd.nextInt(COLORS.length)],
          1 + rnd.nextInt(4), 1.0, text(rnd, words), 12 + 2 * rnd.nextInt(8), points,
          user(rnd.nextInt(1000)), user(rnd.nextInt(1000)),
          1_764_158_000_000L + rnd.nextInt(86_400_000), rnd.nextInt(20) == 0, 1 + rnd.nextInt(50)));
    }
    return out;
  }

  /** Each object of {@link #shapes} as the JSON a store holds: what the raw codec reads. */
  static List<String> json(List<Shape> shapes) {
    List<String> out = new ArrayList<>(shapes.size());
    for (Shape s : shapes) {
      out.add(Codec.string().decode(SHAPES.encode(s)));
    }
    return out;
  }

  /** The objects as the given codec takes them: {@link Shape}s, or their JSON for raw. */
  static List<Object> values(String codec, List<Shape> shapes) {
    return codec.equals("raw") ? new ArrayList<>(json(shapes)) : new ArrayList<>(shapes);
  }

  /** The presences of n users on one canvas. */
  static List<Cursor> cursors(int n) {
    Random rnd = new Random(7);
    List<Cursor> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Cursor(user(i), "User " + i, COLORS[rnd.nextInt(COLORS.length)], "project-1",
          round(rnd, 4000), round(rnd, 4000), rnd.nextBoolean() ? "select" : "pen",
          1_764_158_000_000L + rnd.nextInt(86_400_000)));
    }
    return out;
  }

  static String user(int i) {
    return String.format(Locale.ROOT, "user-%04d", i);
  }

  private static double round(Random rnd, int max) {
    return Math.round(rnd.nextDouble() * max * 100) / 100.0;
  }

  private static String text(Random rnd, int words) {
    StringBuilder b = new StringBuilder();
    String[] all = WORDS.split(" ");
    for (int i = 0; i < words; i++) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(all[rnd.nextInt(all.length)]);
    }
    return b.toString();
  }
}
