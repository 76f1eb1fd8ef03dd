package io.canvasstate.redis.testing;

import io.canvasstate.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * A Redis server whose default user has a random password, for tests of ACL users: the test
 * adds users with {@link #setUser} ({@code ACL SETUSER}) and connects as them. Started once per
 * test class and torn down after it. Not thread-safe: call it from the test thread.
 */
public final class RedisAclExtension extends ClassScopedExtension {
  private final String adminPassword = "admin-" + UUID.randomUUID();
  private final List<ServerProcess> servers = new ArrayList<>();
  private Path dir = Path.of(".");

  @Override
  void start() throws Exception {
    ServerProcess.requireBinaries("redis-server");
    dir = Files.createTempDirectory("canvasstate-acl");
    int port = FreePorts.next();
    List<String> args = new ArrayList<>(ServerProcess.baseArgs(port));
    args.addAll(List.of("--requirepass", adminPassword, "--dir", dir.toString()));
    servers.add(ServerProcess.start("acl-server", dir, port, args));
  }

  @Override
  void stop() {
    servers.forEach(ServerProcess::kill);
    servers.clear();
    ServerProcess.deleteTree(dir);
  }

  public int port() {
    return servers.get(0).port();
  }

  /** {@code redis://127.0.0.1:<port>}, without credentials. */
  public String url() {
    return "redis://" + ServerProcess.HOST + ":" + port();
  }

  /** A configuration for this server that logs in as {@code user}. */
  public StoreConfig.Builder config(String user, String password) {
    return StoreConfig.builder().redisUrl(url()).username(user).password(password);
  }

  /**
   * Creates or replaces the user: {@code ACL SETUSER <user> reset on ><password> <rules>}.
   *
   * @param rules ACL rules, such as {@code "~app:* +@read"}, split on whitespace
   */
  public void setUser(String user, String password, String rules) {
    List<String> args = new ArrayList<>(List.of(user, "reset", "on", ">" + password));
    for (String rule : rules.trim().split("\\s+")) {
      if (!rule.isEmpty()) {
        args.add(rule);
      }
    }
    try (Jedis admin = admin()) {
      admin.aclSetUser(args.get(0), args.subList(1, args.size()).toArray(String[]::new));
    }
  }

  /** A pooled client as the default user, which may do anything; the caller closes it. */
  public UnifiedJedis adminClient() {
    return RedisClient.builder().hostAndPort(ServerProcess.HOST, port())
        .clientConfig(DefaultJedisClientConfig.builder().password(adminPassword)
            .timeoutMillis(5_000).build())
        .build();
  }

  /** A connection as the default user, which may do anything. */
  public Jedis admin() {
    return new Jedis(new HostAndPort(ServerProcess.HOST, port()), DefaultJedisClientConfig
        .builder().password(adminPassword).timeoutMillis(5_000).autoNegotiateProtocol(false)
        .build());
  }
}
