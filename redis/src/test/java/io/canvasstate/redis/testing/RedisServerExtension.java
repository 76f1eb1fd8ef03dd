package io.canvasstate.redis.testing;

import io.canvasstate.StoreConfig;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import redis.clients.jedis.Jedis;

/**
 * A JUnit 5 extension that gives a test class a real Redis server, and is itself that
 * {@link RedisServer}:
 *
 * <pre>{@code
 * @RegisterExtension static final RedisServerExtension redis = RedisServerExtension.create();
 *
 * @Test void put_newObject_isStoredAsJson() {
 *   try (RedisStores stores = RedisStores.create(redis.configBuilder().build())) { ... }
 *   assertThat(redis.jedis().hget(...)).isEqualTo(...);
 * }
 * }</pre>
 *
 * <p>Register it in a {@code static} field: the server starts before the class's first test
 * and stops after its last one (a JVM shutdown hook kills it if the run dies first). Test
 * methods may also take a {@link RedisServer} parameter.
 *
 * <p>Which server, for {@link #create()}: the one {@code REDIS_URL} names if it is set; else a
 * {@code redis-server} from PATH (or {@code REDIS_SERVER_BIN}) started on a free loopback port;
 * else, with Docker and Testcontainers on the class path, a {@code redis:7} container. With none
 * of those the class is skipped with a message saying what to install, except when the
 * environment variable {@code CI} is set: then it fails. {@link #controllable()} always starts
 * its own process, since only those can be killed, paused and restarted.
 */
public final class RedisServerExtension
    implements RedisServer, BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private final boolean controllable;
  private final RedisProcess.Options options;
  private volatile @Nullable RedisServer server;
  private @Nullable String owner;

  private RedisServerExtension(boolean controllable, RedisProcess.Options options) {
    this.controllable = controllable;
    this.options = options;
  }

  /** Any Redis: {@code REDIS_URL}'s, a started {@code redis-server}, or a container. */
  public static RedisServerExtension create() {
    return new RedisServerExtension(false, RedisProcess.Options.DEFAULT);
  }

  /** A {@code redis-server} this extension starts, so it can be killed, paused and restarted. */
  public static RedisServerExtension controllable() {
    return new RedisServerExtension(true, RedisProcess.Options.DEFAULT);
  }

  /**
   * An owned server that keeps an append-only file synced on every write, so that a
   * {@link #kill()} and {@link #restart()} lose nothing Redis acknowledged.
   */
  public RedisServerExtension withAppendFsyncAlways() {
    return new RedisServerExtension(true, options.withAppendFsyncAlways());
  }

  /** An owned server started with more {@code redis-server} arguments. */
  public RedisServerExtension withArgs(String... args) {
    return new RedisServerExtension(true, options.withArgs(args));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (server != null) {
      return; // a @Nested class shares its outer class's server
    }
    server = start();
    owner = context.getUniqueId();
  }

  private RedisServer start() {
    return discover(controllable, options, setting("REDIS_URL"));
  }

  /**
   * Finds or starts the server: see the class comment for the order.
   *
   * @param redisUrl the value of {@code REDIS_URL}, or null if it is unset
   */
  static RedisServer discover(boolean controllable, RedisProcess.Options options,
      @Nullable String redisUrl) {
    if (controllable) {
      return RedisProcess.start(options);
    }
    if (redisUrl != null) {
      return new ExternalRedisServer(redisUrl);
    }
    if (RedisProcess.findBinary().isPresent()) {
      return RedisProcess.start(options);
    }
    if (testcontainersOnClassPath() && DockerRedisServer.available()) {
      return DockerRedisServer.start();
    }
    throw RedisProcess.missing(RedisProcess.NOT_FOUND);
  }

  private static boolean testcontainersOnClassPath() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory", false,
          RedisServerExtension.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static @Nullable String setting(String name) {
    String v = System.getProperty(name, System.getenv(name));
    return v == null || v.isBlank() ? null : v;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (context.getUniqueId().equals(owner)) {
      stop();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server();
  }

  /** The server; started by {@link #beforeAll}. */
  public RedisServer server() {
    RedisServer s = server;
    if (s == null) {
      throw new IllegalStateException("no Redis server yet: register RedisServerExtension in a"
          + " static field with @RegisterExtension, and use it from tests, not class setup");
    }
    return s;
  }

  @Override
  public String host() {
    return server().host();
  }

  @Override
  public int port() {
    return server().port();
  }

  @Override
  public String url() {
    return server().url();
  }

  @Override
  public StoreConfig.Builder configBuilder() {
    return server().configBuilder();
  }

  @Override
  public Jedis jedis() {
    return server().jedis();
  }

  @Override
  public Jedis connect() {
    return server().connect();
  }

  @Override
  public boolean isControllable() {
    return server().isControllable();
  }

  @Override
  public void kill() {
    server().kill();
  }

  @Override
  public void pause() {
    server().pause();
  }

  @Override
  public void resume() {
    server().resume();
  }

  @Override
  public void restart() {
    server().restart();
  }

  @Override
  public void stop() {
    RedisServer s = server;
    server = null;
    owner = null;
    if (s != null) {
      s.stop();
    }
  }

  @Override
  public String toString() {
    RedisServer s = server;
    return "RedisServerExtension[" + (s == null ? "not started" : s) + "]";
  }
}
