package io.canvasstate.redis.testing;

import static org.awaitility.Awaitility.await;

import io.canvasstate.StoreConfig;
import io.canvasstate.StoreConfig.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.params.MigrateParams;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A Redis Cluster of 3 masters and 3 replicas, started from {@code redis-server} processes on
 * free loopback ports once per test class and torn down after it. Register it with
 * {@code @RegisterExtension static final RedisClusterExtension CLUSTER = new RedisClusterExtension();}.
 *
 * <p>It can kill a master and wait until its replica has taken over ({@link #killMasterOf}), and
 * bring the killed node back as a replica ({@link #restart}). Node timeout is 2 s, so a failover
 * takes about 3-6 s. Not thread-safe: call it from the test thread.
 */
public final class RedisClusterExtension extends ClassScopedExtension {
  private static final int MASTERS = 3;
  private static final int NODES = 6;
  private static final Duration NODE_TIMEOUT = Duration.ofMillis(2_000);
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

  private final boolean tls;
  private final List<ServerProcess> nodes = new ArrayList<>();
  private Path dir = Path.of(".");
  private @Nullable TlsCertificates certificates;

  /** A plain-text cluster. */
  public RedisClusterExtension() {
    this(false);
  }

  private RedisClusterExtension(boolean tls) {
    this.tls = tls;
  }

  /**
   * A TLS-only cluster: clients, the cluster bus and replication all use TLS, with certificates
   * from {@link TlsCertificates} (the server certificate names 127.0.0.1, where nodes announce
   * themselves).
   */
  public static RedisClusterExtension withTls() {
    return new RedisClusterExtension(true);
  }

  @Override
  void start() throws Exception {
    ServerProcess.requireBinaries("redis-server", "redis-cli");
    dir = Files.createTempDirectory("canvasstate-cluster");
    if (tls) {
      certificates = TlsCertificates.generate(Files.createDirectories(dir.resolve("tls")));
    }
    for (int i = 0; i < NODES; i++) {
      int port = FreePorts.next();
      int busPort = FreePorts.next();
      Path nodeDir = Files.createDirectories(dir.resolve("node" + i));
      List<String> args = new ArrayList<>(ServerProcess.baseArgs(tls ? 0 : port));
      args.addAll(tlsArgs(port));
      args.addAll(List.of("--cluster-enabled", "yes",
          "--cluster-port", Integer.toString(busPort),
          "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()),
          "--cluster-replica-validity-factor", "0",
          "--dir", nodeDir.toString()));
      nodes.add(ServerProcess.start("cluster-node" + i, nodeDir, port, args));
    }
    createCluster();
    awaitHealthy();
  }

  @Override
  void stop() {
    nodes.forEach(ServerProcess::kill);
    nodes.clear();
    ServerProcess.deleteTree(dir);
  }

  /** The certificates of a TLS cluster. */
  public TlsCertificates certificates() {
    if (certificates == null) {
      throw new IllegalStateException("not a TLS cluster, or not started");
    }
    return certificates;
  }

  private List<String> tlsArgs(int port) {
    if (!tls) {
      return List.of();
    }
    TlsCertificates certs = certificates();
    return List.of("--tls-port", Integer.toString(port), "--tls-cluster", "yes",
        "--tls-replication", "yes", "--tls-auth-clients", "no",
        "--tls-cert-file", certs.serverCert().toString(),
        "--tls-key-file", certs.serverKey().toString(),
        "--tls-ca-cert-file", certs.caCert().toString());
  }

  /** Every node, as seeds for {@code REDIS_CLUSTER_ENDPOINTS}. */
  public List<HostPort> endpoints() {
    return nodes.stream().map(ServerProcess::hostPort).toList();
  }

  /** {@link #endpoints()} as {@code host:port,host:port}, the form of the environment variable. */
  public String endpointsText() {
    return endpoints().stream().map(HostPort::toString).collect(Collectors.joining(","));
  }

  /** A configuration that selects this cluster (and trusts its CA, if it uses TLS). */
  public StoreConfig.Builder config() {
    StoreConfig.Builder config = StoreConfig.builder().clusterEndpoints(endpoints());
    if (tls) {
      config.tls(true).tlsCaFile(certificates().caCert());
    }
    return config;
  }

  /** The live node that is master of the slot of {@code key} now. */
  public ServerProcess masterOf(String key) {
    int slot = JedisClusterCRC16.getSlot(key);
    for (ClusterNode node : view()) {
      if (node.master() && node.ownsSlot(slot)) {
        return process(node.port());
      }
    }
    throw new IllegalStateException("no master owns slot " + slot);
  }

  /**
   * Waits until the replica of the master of {@code key} has received everything the master has
   * now (its replication offset reached the master's): replication is asynchronous, and
   * {@code WAIT} only covers the writes of the connection that sends it.
   *
   * @throws org.awaitility.core.ConditionTimeoutException if it does not catch up in 30 s
   */
  public void awaitReplicated(String key) {
    ServerProcess master = masterOf(key);
    String masterId;
    long offset;
    try (Jedis jedis = connect(master)) {
      masterId = jedis.clusterMyId();
      offset = Long.parseLong(infoSection(jedis.info("replication")).get("master_repl_offset"));
    }
    List<ServerProcess> replicas = view().stream()
        .filter(n -> n.flags().contains("slave") && n.masterId().equals(masterId))
        .map(n -> process(n.port())).toList();
    ReplicaSync.awaitOffset(replicas, offset, this::connect);
  }

  /**
   * Kills (SIGKILL) the master of the slot of {@code key} and waits until its replica is master
   * of that slot and every live node reports {@code cluster_state:ok}.
   *
   * @return the killed node, for {@link #restart}
   */
  public ServerProcess killMasterOf(String key) {
    int slot = JedisClusterCRC16.getSlot(key);
    ServerProcess master = masterOf(key);
    master.kill();
    await("replica of " + master + " promoted for slot " + slot)
        .atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> {
          ServerProcess now = masterOf(key);
          return now != master && liveNodes().stream().allMatch(n -> clusterStateOk(n));
        });
    return master;
  }

  /**
   * Moves the slot of {@code key}, with its keys, from its master to another master, as a
   * resharding does ({@code SETSLOT IMPORTING/MIGRATING}, {@code MIGRATE}, {@code SETSLOT NODE}),
   * and waits until every live node agrees on the new owner.
   *
   * @return the new owner
   */
  public ServerProcess moveSlotOf(String key) {
    return moveSlotOf(key, window -> { });
  }

  /**
   * A moment of a slot migration: how many keys of the slot have moved to the new owner and how
   * many are still on the old one.
   */
  public record MigrationWindow(int keysMoved, int keysLeft) {
    /**
     * Whether the keys are split between the nodes: a command on keys of both is refused with
     * {@code TRYAGAIN} until the migration moves the rest.
     */
    public boolean split() {
      return keysMoved > 0 && keysLeft > 0;
    }
  }

  /**
   * Moves the slot of {@code key} as {@link #moveSlotOf(String)} does, one key per
   * {@code MIGRATE}, and runs {@code inWindow} while the slot is migrating: once after
   * {@code SETSLOT IMPORTING/MIGRATING} (every key still on the old owner) and once after each
   * key moved (keys split between the nodes, then all on the new owner: the {@code ASK}
   * window, held open as long as {@code inWindow} runs). Only then does it end the migration
   * with {@code SETSLOT NODE}.
   *
   * @return the new owner
   */
  public ServerProcess moveSlotOf(String key, Consumer<MigrationWindow> inWindow) {
    int slot = JedisClusterCRC16.getSlot(key);
    List<ClusterNode> view = view();
    ClusterNode from = view.stream().filter(n -> n.master() && n.ownsSlot(slot)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no master owns slot " + slot));
    ClusterNode to = view.stream().filter(n -> n.master() && n != from).findFirst()
        .orElseThrow(() -> new IllegalStateException("no other master"));
    try (Jedis source = connect(process(from.port())); Jedis target = connect(process(to.port()))) {
      target.clusterSetSlotImporting(slot, from.id());
      source.clusterSetSlotMigrating(slot, to.id());
      int left = (int) source.clusterCountKeysInSlot(slot);
      int moved = 0;
      inWindow.accept(new MigrationWindow(moved, left));
      List<String> keys;
      while (!(keys = source.clusterGetKeysInSlot(slot, 1)).isEmpty()) {
        source.migrate(ServerProcess.HOST, to.port(), 0, 5_000, new MigrateParams(),
            keys.toArray(String[]::new));
        moved++;
        left = (int) source.clusterCountKeysInSlot(slot);
        inWindow.accept(new MigrationWindow(moved, left));
      }
      target.clusterSetSlotNode(slot, to.id());
      source.clusterSetSlotNode(slot, to.id());
    }
    for (ClusterNode node : view) {
      if (node.master() && node != from && node != to) {
        try (Jedis other = connect(process(node.port()))) {
          other.clusterSetSlotNode(slot, to.id());
        }
      }
    }
    ServerProcess owner = process(to.port());
    await("slot " + slot + " moved to " + owner).atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> liveNodes().stream().allMatch(n -> ownerSeenBy(n, slot) == owner.port()));
    return owner;
  }

  /**
   * Starts a killed node again; it rejoins as a replica. Waits until the whole cluster is healthy
   * (every node {@code cluster_state:ok}, no node failed, every replica in sync).
   */
  public void restart(ServerProcess node) {
    node.restart();
    awaitHealthy();
  }

  /**
   * Creates or replaces an ACL user on every live node (ACL rules are per node):
   * {@code ACL SETUSER <user> reset on ><password> <rules>}.
   */
  public void setUser(String user, String password, String rules) {
    List<String> args = new ArrayList<>(List.of("reset", "on", ">" + password));
    args.addAll(List.of(rules.trim().split("\\s+")));
    for (ServerProcess node : liveNodes()) {
      try (Jedis jedis = connect(node)) {
        jedis.aclSetUser(user, args.toArray(String[]::new));
      }
    }
  }

  /** The nodes that are running now. */
  public List<ServerProcess> liveNodes() {
    return nodes.stream().filter(ServerProcess::isAlive).toList();
  }

  /** A connection to one node (over TLS for a TLS cluster), for tests that inspect a node. */
  public Jedis connect(ServerProcess node) {
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .timeoutMillis(5_000).autoNegotiateProtocol(false);
    if (tls) {
      TlsCertificates certs = certificates();
      config.sslOptions(SslOptions.builder()
          .truststore(certs.trustStore().toFile(), certs.storePassword().toCharArray())
          .sslVerifyMode(SslVerifyMode.FULL).build());
    }
    return new Jedis(new HostAndPort(ServerProcess.HOST, node.port()), config.build());
  }

  private void createCluster() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    nodes.forEach(n -> command.add(ServerProcess.HOST + ":" + n.port()));
    command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    if (tls) {
      command.addAll(List.of("--tls", "--cacert", certificates().caCert().toString()));
    }
    Path log = dir.resolve("cluster-create.log");
    Process create = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!create.waitFor(60, TimeUnit.SECONDS)) {
      create.destroyForcibly();
      throw new IllegalStateException("redis-cli --cluster create did not finish in 60 s");
    }
    if (create.exitValue() != 0) {
      throw new IllegalStateException("redis-cli --cluster create failed:\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
  }

  private void awaitHealthy() {
    await("cluster healthy").atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(this::healthy);
  }

  private boolean healthy() {
    for (ServerProcess node : nodes) {
      if (!node.isAlive() || !clusterStateOk(node)) {
        return false;
      }
      try (Jedis jedis = connect(node)) {
        List<ClusterNode> seen = ClusterNode.parseAll(jedis.clusterNodes());
        if (seen.size() != NODES || seen.stream().anyMatch(ClusterNode::failing)
            || seen.stream().filter(ClusterNode::master).count() != MASTERS) {
          return false;
        }
        Map<String, String> replication = infoSection(jedis.info("replication"));
        if ("slave".equals(replication.get("role"))
            && !("up".equals(replication.get("master_link_status"))
                && "0".equals(replication.get("master_sync_in_progress")))) {
          return false;
        }
        if ("master".equals(replication.get("role"))
            && !"1".equals(replication.get("connected_slaves"))) {
          return false;
        }
      }
    }
    return true;
  }

  private int ownerSeenBy(ServerProcess node, int slot) {
    try (Jedis jedis = connect(node)) {
      return ClusterNode.parseAll(jedis.clusterNodes()).stream()
          .filter(n -> n.master() && n.ownsSlot(slot)).mapToInt(ClusterNode::port)
          .findFirst().orElse(-1);
    }
  }

  private boolean clusterStateOk(ServerProcess node) {
    try (Jedis jedis = connect(node)) {
      Map<String, String> info = infoSection(jedis.clusterInfo());
      return "ok".equals(info.get("cluster_state"))
          && Integer.toString(16384).equals(info.get("cluster_slots_ok"));
    }
  }

  private List<ClusterNode> view() {
    for (ServerProcess node : liveNodes()) {
      try (Jedis jedis = connect(node)) {
        return ClusterNode.parseAll(jedis.clusterNodes());
      } catch (RuntimeException e) {
        // try the next node
      }
    }
    throw new IllegalStateException("no cluster node answers");
  }

  private ServerProcess process(int port) {
    return nodes.stream().filter(n -> n.port() == port).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node on port " + port));
  }

  /** Parses {@code key:value} lines of INFO or CLUSTER INFO. */
  static Map<String, String> infoSection(String text) {
    return text.lines().map(String::trim).filter(l -> l.indexOf(':') > 0 && !l.startsWith("#"))
        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')),
            l -> l.substring(l.indexOf(':') + 1), (a, b) -> b));
  }

  /** One line of CLUSTER NODES: {@code id ip:port@bus flags master ... slots}. */
  record ClusterNode(String id, int port, List<String> flags, String masterId,
      List<String> slots) {
    static List<ClusterNode> parseAll(String text) {
      return text.lines().filter(l -> !l.isBlank()).map(ClusterNode::parse).toList();
    }

    static ClusterNode parse(String line) {
      String[] parts = line.trim().split(" ");
      String address = parts[1];
      int colon = address.lastIndexOf(':', address.indexOf('@'));
      int port = Integer.parseInt(address.substring(colon + 1, address.indexOf('@')));
      List<String> slots = parts.length > 8 ? List.of(parts).subList(8, parts.length) : List.of();
      return new ClusterNode(parts[0], port, List.of(parts[2].split(",")), parts[3], slots);
    }

    boolean master() {
      return flags.contains("master") && !failing();
    }

    boolean failing() {
      return flags.contains("fail") || flags.contains("fail?");
    }

    boolean ownsSlot(int slot) {
      for (String range : slots) {
        if (range.startsWith("[")) {
          continue;
        }
        int dash = range.indexOf('-');
        int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
        if (slot >= from && slot <= to) {
          return true;
        }
      }
      return false;
    }
  }
}
