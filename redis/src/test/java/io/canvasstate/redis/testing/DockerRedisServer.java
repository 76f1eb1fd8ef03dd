package io.canvasstate.redis.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import redis.clients.jedis.Jedis;

/**
 * A {@code redis:7} container, for machines with Docker but no {@code redis-server}. Kept thin:
 * it cannot be killed, paused or restarted through this harness. Only this class touches
 * Testcontainers, and only after {@link RedisServerExtension} found it on the class path, so a
 * module without it on its test class path never loads it.
 */
final class DockerRedisServer implements RedisServer {
  private final GenericContainer<?> container;
  private final SharedJedis shared = new SharedJedis(this::connect);

  private DockerRedisServer(GenericContainer<?> container) {
    this.container = container;
  }

  /**
   * Whether Testcontainers finds a Docker engine. Callers first check that Testcontainers is on
   * the class path (see {@link RedisServerExtension}), since this class refers to its types.
   */
  static boolean available() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  @SuppressWarnings("resource") // stopped by stop()
  static DockerRedisServer start() {
    GenericContainer<?> c =
        new GenericContainer<>(DockerImageName.parse("redis:7")).withExposedPorts(6379);
    c.start();
    return new DockerRedisServer(c);
  }

  @Override
  public String host() {
    return container.getHost();
  }

  @Override
  public int port() {
    return container.getMappedPort(6379);
  }

  @Override
  public String url() {
    return "redis://" + host() + ":" + port();
  }

  @Override
  public Jedis jedis() {
    return shared.get();
  }

  @Override
  public Jedis connect() {
    return SharedJedis.connect(host(), port());
  }

  @Override
  public boolean isControllable() {
    return false;
  }

  @Override
  public void stop() {
    shared.close();
    container.stop();
  }

  @Override
  public String toString() {
    return "DockerRedisServer[" + container.getDockerImageName() + "]";
  }
}
