package io.canvasstate.dynamodb;

import io.canvasstate.redis.testing.FreePorts;
import io.canvasstate.redis.testing.RedisProcess;
import io.canvasstate.redis.testing.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A JUnit 5 extension that starts a real dynalite (the DynamoDB-compatible server on LevelDB,
 * pinned in {@code tools/dynalite}) on a free loopback port before the class's first test, with
 * its data in a temporary directory, and kills it after the last one:
 *
 * <pre>{@code
 * @RegisterExtension static final DynaliteServer dynalite = new DynaliteServer();
 * ... DynamoDbCanvasRepository.builder(codec).config(dynalite.config("canvas"))
 *         .credentials(dynalite.credentials()).build() ...
 * }</pre>
 *
 * <p>It needs Node.js 20 or newer ({@code node} on the PATH) and {@code npm ci} run in
 * {@code tools/dynalite} ({@code .ci/run} does both). Without them the class is skipped with
 * that message, except when the environment variable {@code CI} is set: then it fails. Not
 * thread-safe.
 */
final class DynaliteServer implements BeforeAllCallback, AfterAllCallback {
  /** The secret key of {@link #credentials()}, to check that it is never printed. */
  static final String SECRET = "canvasstate-test-secret-7f3a";

  private static final String CLI = "tools/dynalite/node_modules/dynalite/cli.js";

  private @Nullable ServerProcess process;
  private @Nullable Path dir;

  @Override
  public void beforeAll(ExtensionContext context) {
    Path cli = findCli().orElseThrow(() -> RedisProcess.missing("dynalite is not installed: run"
        + " `npm ci` in tools/dynalite (Node.js 20 or newer; .ci/run does it)"));
    requireNode20();
    try {
      dir = Files.createTempDirectory("canvasstate-dynalite-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int port = FreePorts.next();
    process = ServerProcess.startCommand("dynalite", dir, port, List.of("node", cli.toString(),
        "--host", ServerProcess.HOST, "--port", Integer.toString(port),
        "--path", dir.resolve("db").toString(),
        "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (process != null) {
      process.kill();
      process = null;
    }
    if (dir != null) {
      ServerProcess.deleteTree(dir);
      dir = null;
    }
  }

  /** The server's endpoint, {@code http://127.0.0.1:<port>}. */
  URI endpoint() {
    return URI.create("http://" + ServerProcess.HOST + ":" + started().port());
  }

  /**
   * Settings for a table of this server: {@code <name>_<random>} (so classes and runs never
   * share one), created by the repository, short timeouts and few attempts.
   */
  DynamoDbConfig config(String name) {
    return DynamoDbConfig.builder()
        .endpoint(endpoint())
        .region("us-east-1")
        .table(name + "_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36)
            .toLowerCase(Locale.ROOT))
        .createTable(true)
        .timeout(Duration.ofSeconds(5))
        .maxAttempts(3)
        .build();
  }

  /** Credentials dynalite accepts (it checks none). */
  AwsCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create("canvasstate-test", SECRET));
  }

  /** A client of this server, with {@code interceptors}; the caller closes it. */
  DynamoDbClient client(ExecutionInterceptor... interceptors) {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .overrideConfiguration(o -> {
          for (ExecutionInterceptor i : interceptors) {
            o.addExecutionInterceptor(i);
          }
        })
        .build();
  }

  /** Kills the server with SIGKILL, as a crash would; its data stays on disk. */
  void kill() {
    started().kill();
  }

  /** Starts the killed server again on the same port and data. */
  void restart() {
    started().restart();
  }

  private ServerProcess started() {
    if (process == null) {
      throw new IllegalStateException("DynaliteServer is not started: register it in a static"
          + " field with @RegisterExtension");
    }
    return process;
  }

  /** {@code tools/dynalite/.../cli.js} in this directory or the nearest parent that has it. */
  private static Optional<Path> findCli() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path cli = d.resolve(CLI);
      if (Files.isRegularFile(cli)) {
        return Optional.of(cli);
      }
    }
    return Optional.empty();
  }

  /**
   * Checks that {@code node --version} is 20 or newer.
   *
   * @throws RuntimeException (a skip, or a failure on CI) if there is no node or an older one
   */
  private static void requireNode20() {
    String version;
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw RedisProcess.missing("`node --version` did not answer within 30 s");
      }
      version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw RedisProcess.missing("no node on the PATH: install Node.js 20 or newer (Debian:"
          + " nodejs npm) and run `npm ci` in tools/dynalite");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    int major;
    try {
      major = Integer.parseInt(version.replaceFirst("^v(\\d+)\\..*$", "$1"));
    } catch (NumberFormatException e) {
      major = 0;
    }
    if (major < 20) {
      throw RedisProcess.missing("dynalite 4 needs Node.js 20 or newer, node is " + version
          + ": install a newer one (NodeSource's nodejs 20 or 22 packages, or nvm)");
    }
  }
}
