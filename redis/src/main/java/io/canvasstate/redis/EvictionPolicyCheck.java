package io.canvasstate.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, once per {@link RedisStores}, when Redis may evict the unsaved changes of a store with
 * persistence: its {@code maxmemory-policy} is an {@code allkeys-*} one. It reads the policy from
 * {@code INFO memory}, which an ACL user may run, unlike {@code CONFIG GET}. Thread-safe.
 *
 * <p>Why {@code allkeys-*} only: a project with unsaved changes carries no TTL, so
 * {@code noeviction} and the {@code volatile-*} policies (which evict keys with a TTL only) never
 * evict it.
 */
final class EvictionPolicyCheck {
  private static final Logger LOG = LoggerFactory.getLogger(EvictionPolicyCheck.class);

  private final AtomicBoolean done = new AtomicBoolean();

  /** Checks the policy unless it was checked; a Redis that cannot be asked is asked next time. */
  void check(RedisBackend backend) {
    if (done.get()) {
      return;
    }
    String info;
    try {
      info = backend.client().info("memory");
    } catch (RuntimeException e) {
      LOG.debug("Could not read maxmemory_policy from INFO memory; checked again with the next"
          + " store with persistence: {}", e.toString());
      return;
    }
    if (!done.compareAndSet(false, true)) {
      return;
    }
    String policy = field(info, "maxmemory_policy");
    if (policy != null && policy.startsWith("allkeys-")) {
      LOG.warn("Redis runs with maxmemory-policy {}: under memory pressure it may evict a"
          + " project's objects before their changes are saved. Such losses are reported and never"
          + " saved as deletes, but the unsaved changes are gone. Use noeviction or a volatile-*"
          + " policy: projects with unsaved changes carry no TTL, so those never evict them",
          policy);
    }
  }

  /** The value of {@code name} in an {@code INFO} reply, or null if it has none. */
  static @Nullable String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }
}
