package io.canvasstate.redis.testing;

import io.canvasstate.StoreConfig;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import redis.clients.jedis.Jedis;

/**
 * A Redis server for tests: one this harness started ({@link RedisProcess}), the one
 * {@code REDIS_URL} names, or a Docker container.
 *
 * <p>Only a {@link #isControllable() controllable} server can be {@linkplain #kill() killed},
 * {@linkplain #pause() paused} and {@linkplain #restart() restarted}; the others throw
 * {@link UnsupportedOperationException}, and tests that need those ask
 * {@link RedisServerExtension#controllable()} for a server they own.
 *
 * <p>Tests share a server across a class and keep apart by key prefix
 * ({@link #configBuilder()} makes a fresh one each time); nothing here runs {@code FLUSHALL}.
 */
public interface RedisServer extends AutoCloseable {
  /** How long harness connections and {@link #configBuilder()} stores wait for an answer. */
  Duration TEST_TIMEOUT = Duration.ofSeconds(2);

  String host();

  int port();

  /** {@code redis://host:port}, with the credentials the server needs if any: never log it. */
  String url();

  /**
   * A configuration for this server with its own fresh key prefix, so that each test sees only
   * its own keys; add TTLs, timeouts and the rest before {@code build()}.
   */
  default StoreConfig.Builder configBuilder() {
    return StoreConfig.builder()
        .redisUrl(url())
        .keyPrefix(newKeyPrefix())
        .connectTimeout(TEST_TIMEOUT)
        .timeout(TEST_TIMEOUT);
  }

  /**
   * A shared raw connection for inspecting and planting keys from the test thread; it is
   * reconnected when it broke (after a kill or restart) and closed when the server stops. Not
   * thread-safe: threads other than the test's use {@link #connect()}.
   */
  Jedis jedis();

  /** A new raw connection, which the caller closes. */
  Jedis connect();

  /** Whether {@link #kill}, {@link #pause}, {@link #resume} and {@link #restart} work. */
  boolean isControllable();

  /** Kills the server at once (SIGKILL): no shutdown, no final save. */
  default void kill() {
    throw notControllable("kill");
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
  default void pause() {
    throw notControllable("pause");
  }

  /** Unfreezes a paused server (SIGCONT). */
  default void resume() {
    throw notControllable("resume");
  }

  /**
   * Starts the server again on the same port and data directory (killing it first if it runs),
   * and waits until it answers.
   */
  default void restart() {
    throw notControllable("restart");
  }

  /** Stops the server, or for a server the harness does not own, closes its connections. */
  void stop();

  @Override
  default void close() {
    stop();
  }

  /** A fresh key prefix such as {@code t5f3a9c1e:}. */
  static String newKeyPrefix() {
    return "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4) + ":";
  }

  private UnsupportedOperationException notControllable(String what) {
    return new UnsupportedOperationException("cannot " + what + " " + this
        + ": the harness does not own this server; use RedisServerExtension.controllable()");
  }
}
