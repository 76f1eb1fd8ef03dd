package io.canvasstate.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A mutable canvas object for the contract suite, so that tests can check that a store copies
 * values instead of keeping the caller's object. Jackson reads and writes its public fields.
 */
public final class TestShape {
  public String id = "";
  public String kind = "rect";
  public int x;
  public int y;
  public List<String> tags = new ArrayList<>();

  /** For Jackson. */
  public TestShape() {}

  public TestShape(String id, int x, int y) {
    this.id = id;
    this.x = x;
    this.y = y;
  }

  /** A copy that shares nothing with this shape. */
  public TestShape copy() {
    TestShape c = new TestShape(id, x, y);
    c.kind = kind;
    c.tags = new ArrayList<>(tags);
    return c;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TestShape s && id.equals(s.id) && kind.equals(s.kind) && x == s.x
        && y == s.y && tags.equals(s.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, kind, x, y, tags);
  }

  @Override
  public String toString() {
    return "TestShape{id=" + id + ", kind=" + kind + ", x=" + x + ", y=" + y + ", tags=" + tags
        + "}";
  }
}
