package io.canvasstate.redis.testing;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An extension that starts servers before the first test of the class that registers it and
 * stops them after its last one. JUnit calls an outer class's extension for each {@code @Nested}
 * class too: those calls find the servers running and leave them alone. Not thread-safe.
 */
abstract class ClassScopedExtension implements BeforeAllCallback, AfterAllCallback {
  private @Nullable String owner;

  /** Starts the servers; on failure, stops what it started and rethrows. */
  abstract void start() throws Exception;

  /** Stops every server and deletes their files; must not throw. */
  abstract void stop();

  @Override
  public final void beforeAll(ExtensionContext context) throws Exception {
    if (owner != null) {
      return;
    }
    try {
      start();
    } catch (Exception | Error e) {
      stop();
      throw e;
    }
    owner = context.getUniqueId();
  }

  @Override
  public final void afterAll(ExtensionContext context) {
    if (context.getUniqueId().equals(owner)) {
      stop();
      owner = null;
    }
  }
}
