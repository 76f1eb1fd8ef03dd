package io.canvasstate.redis.testing;

import static org.awaitility.Awaitility.await;

import io.canvasstate.StoreConfig;
import io.canvasstate.StoreConfig.HostPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A Sentinel deployment: one master, one replica and three sentinels ({@code redis-server
 * --sentinel}) on free loopback ports, started once per test class and torn down after it.
 * Register it with {@code @RegisterExtension static final RedisSentinelExtension SENTINEL = ...}.
 *
 * <p>The sentinels count a master down after 2 s and need 2 votes, so {@link #killMaster} sees
 * the replica promoted within a few seconds. {@link #withPasswords} protects the data nodes and
 * the sentinels with passwords. Not thread-safe: call it from the test thread.
 */
public final class RedisSentinelExtension extends ClassScopedExtension {
  /** The name the sentinels know the master by. */
  public static final String MASTER_NAME = "canvasstate";

  private static final int SENTINELS = 3;
  private static final Duration DOWN_AFTER = Duration.ofMillis(2_000);
  private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(6);
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

  private final @Nullable String dataPassword;
  private final @Nullable String sentinelPassword;
  private final List<ServerProcess> dataNodes = new ArrayList<>();
  private final List<ServerProcess> sentinels = new ArrayList<>();
  private Path dir = Path.of(".");

  /** Master, replica and sentinels without passwords. */
  public RedisSentinelExtension() {
    this(null, null);
  }

  private RedisSentinelExtension(@Nullable String dataPassword, @Nullable String sentinelPassword) {
    this.dataPassword = dataPassword;
    this.sentinelPassword = sentinelPassword;
  }

  /**
   * A deployment whose master and replica require {@code dataPassword} (default user) and whose
   * sentinels require {@code sentinelPassword}.
   */
  public static RedisSentinelExtension withPasswords(String dataPassword, String sentinelPassword) {
    return new RedisSentinelExtension(dataPassword, sentinelPassword);
  }

  @Override
  void start() throws Exception {
    ServerProcess.requireBinaries("redis-server");
    dir = Files.createTempDirectory("canvasstate-sentinel");
    int masterPort = FreePorts.next();
    dataNodes.add(ServerProcess.start("sentinel-data0", dir, masterPort, dataArgs(masterPort)));
    int replicaPort = FreePorts.next();
    List<String> replicaArgs = new ArrayList<>(dataArgs(replicaPort));
    replicaArgs.addAll(List.of("--replicaof", ServerProcess.HOST, Integer.toString(masterPort)));
    dataNodes.add(ServerProcess.start("sentinel-data1", dir, replicaPort, replicaArgs));
    awaitReplicaSynced(dataNodes.get(1));
    for (int i = 0; i < SENTINELS; i++) {
      int port = FreePorts.next();
      Path conf = dir.resolve("sentinel" + i + ".conf");
      Files.writeString(conf, sentinelConf(port, masterPort), StandardCharsets.UTF_8);
      sentinels.add(ServerProcess.start("sentinel" + i, dir, port,
          List.of(conf.toString(), "--sentinel")));
    }
  }

  @Override
  void stop() {
    sentinels.forEach(ServerProcess::kill);
    dataNodes.forEach(ServerProcess::kill);
    sentinels.clear();
    dataNodes.clear();
    ServerProcess.deleteTree(dir);
  }

  /** The sentinels, for {@code REDIS_SENTINEL_NODES}. */
  public List<HostPort> sentinelNodes() {
    return sentinels.stream().map(ServerProcess::hostPort).toList();
  }

  /** {@link #sentinelNodes()} as {@code host:port,host:port}. */
  public String sentinelNodesText() {
    return sentinelNodes().stream().map(HostPort::toString).collect(Collectors.joining(","));
  }

  /** A configuration that selects this deployment, with its passwords if it has them. */
  public StoreConfig.Builder config() {
    StoreConfig.Builder b = StoreConfig.builder().sentinelMaster(MASTER_NAME)
        .sentinelNodes(sentinelNodes());
    if (dataPassword != null) {
      b.password(dataPassword);
    }
    if (sentinelPassword != null) {
      b.sentinelPassword(sentinelPassword);
    }
    return b;
  }

  /** The data node that every sentinel names as master now. */
  public ServerProcess currentMaster() {
    int port = -1;
    for (ServerProcess sentinel : sentinels) {
      if (!sentinel.isAlive()) {
        continue;
      }
      try (Jedis jedis = connect(sentinel, sentinelPassword)) {
        int named = Integer.parseInt(jedis.sentinelGetMasterAddrByName(MASTER_NAME).get(1));
        if (port != -1 && named != port) {
          throw new IllegalStateException("sentinels disagree on the master");
        }
        port = named;
      }
    }
    int masterPort = port;
    return dataNodes.stream().filter(n -> n.port() == masterPort).findFirst()
        .orElseThrow(() -> new IllegalStateException("no data node on port " + masterPort));
  }

  /**
   * Waits until the replica has received everything the master has now (its replication offset
   * reached the master's): replication is asynchronous, and {@code WAIT} only covers the writes
   * of the connection that sends it.
   *
   * @throws org.awaitility.core.ConditionTimeoutException if it does not catch up in 30 s
   */
  public void awaitReplicated() {
    ServerProcess master = currentMaster();
    long offset;
    try (Jedis jedis = connect(master, dataPassword)) {
      offset = Long.parseLong(RedisClusterExtension.infoSection(jedis.info("replication"))
          .get("master_repl_offset"));
    }
    ReplicaSync.awaitOffset(dataNodes.stream().filter(n -> n != master && n.isAlive()).toList(), offset,
        n -> connect(n, dataPassword));
  }

  /**
   * Kills (SIGKILL) the current master once every sentinel knows the replica and the other
   * sentinels, then waits until the sentinels name the replica as master and it acts as one.
   *
   * @return the killed node, for {@link #restart}
   */
  public ServerProcess killMaster() {
    await("sentinels see each other and the replica").atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(this::sentinelsReady);
    ServerProcess master = currentMaster();
    master.kill();
    ServerProcess replica = dataNodes.stream().filter(n -> n != master).findFirst().orElseThrow();
    await("sentinels promote " + replica).atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> currentMaster() == replica && "master".equals(role(replica)));
    return master;
  }

  /**
   * Starts a killed data node again as a replica of the current master (as the sentinels would
   * reconfigure it, only sooner) and waits until it is in sync and the sentinels know it.
   *
   * @return the new process on the same port
   */
  public ServerProcess restart(ServerProcess dataNode) {
    if (dataNode.isAlive() || !dataNodes.contains(dataNode)) {
      throw new IllegalArgumentException(dataNode + " is not a killed data node of this deployment");
    }
    ServerProcess master = currentMaster();
    List<String> args = new ArrayList<>(dataArgs(dataNode.port()));
    args.addAll(List.of("--replicaof", ServerProcess.HOST, Integer.toString(master.port())));
    ServerProcess restarted = ServerProcess.start(dataNode.name(), dir, dataNode.port(), args);
    dataNodes.set(dataNodes.indexOf(dataNode), restarted);
    awaitReplicaSynced(restarted);
    await("sentinels see each other and the replica").atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(this::sentinelsReady);
    return restarted;
  }

  private boolean sentinelsReady() {
    for (ServerProcess sentinel : sentinels) {
      try (Jedis jedis = connect(sentinel, sentinelPassword)) {
        Map<String, String> master = jedis.sentinelMaster(MASTER_NAME);
        if (!"2".equals(master.get("num-other-sentinels")) || !"1".equals(master.get("num-slaves"))
            || master.get("flags").contains("down")) {
          return false;
        }
      }
    }
    return true;
  }

  private void awaitReplicaSynced(ServerProcess replica) {
    await(replica + " in sync").atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> {
          try (Jedis jedis = connect(replica, dataPassword)) {
            Map<String, String> info = RedisClusterExtension.infoSection(jedis.info("replication"));
            return "slave".equals(info.get("role")) && "up".equals(info.get("master_link_status"))
                && "0".equals(info.get("master_sync_in_progress"));
          }
        });
  }

  private String role(ServerProcess node) {
    try (Jedis jedis = connect(node, dataPassword)) {
      return RedisClusterExtension.infoSection(jedis.info("replication")).get("role");
    }
  }

  private List<String> dataArgs(int port) {
    List<String> args = new ArrayList<>(ServerProcess.baseArgs(port));
    args.addAll(List.of("--dir", dir.toString()));
    if (dataPassword != null) {
      args.addAll(List.of("--requirepass", dataPassword, "--masterauth", dataPassword));
    }
    return args;
  }

  private String sentinelConf(int port, int masterPort) {
    StringBuilder conf = new StringBuilder()
        .append("port ").append(port).append('\n')
        .append("bind ").append(ServerProcess.HOST).append('\n')
        .append("daemonize no\n")
        .append("loglevel warning\n")
        .append("dir ").append(dir).append('\n')
        .append("sentinel monitor ").append(MASTER_NAME).append(' ').append(ServerProcess.HOST)
        .append(' ').append(masterPort).append(" 2\n")
        .append("sentinel down-after-milliseconds ").append(MASTER_NAME).append(' ')
        .append(DOWN_AFTER.toMillis()).append('\n')
        .append("sentinel failover-timeout ").append(MASTER_NAME).append(' ')
        .append(FAILOVER_TIMEOUT.toMillis()).append('\n')
        .append("sentinel parallel-syncs ").append(MASTER_NAME).append(" 1\n");
    if (dataPassword != null) {
      conf.append("sentinel auth-pass ").append(MASTER_NAME).append(' ').append(dataPassword)
          .append('\n');
    }
    if (sentinelPassword != null) {
      conf.append("requirepass ").append(sentinelPassword).append('\n')
          .append("sentinel sentinel-pass ").append(sentinelPassword).append('\n');
    }
    return conf.toString();
  }

  private static Jedis connect(ServerProcess node, @Nullable String password) {
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .timeoutMillis(5_000).autoNegotiateProtocol(false);
    if (password != null) {
      config.password(password);
    }
    return new Jedis(new HostAndPort(ServerProcess.HOST, node.port()), config.build());
  }
}
