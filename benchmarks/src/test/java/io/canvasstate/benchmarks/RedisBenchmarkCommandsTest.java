package io.canvasstate.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the 16-thread baselines run with {@code redis-benchmark}: the commands the library really
 * sends, captured on a redis-server of the test's own (as the suite starts one).
 */
class RedisBenchmarkCommandsTest {
  @AfterEach
  void forgetServer() {
    System.clearProperty(Env.REDIS_PROPERTY);
  }

  @Test
  void capture_libraryGetAndPut_areTheCommandsTheClientSendsNotThoseItsScriptsRun()
      throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      System.setProperty(Env.REDIS_PROPERTY, server.url());

      Map<String, String> commands = RedisBenchmarkCommands.capture().descriptions();

      String hash = "canvasstate-bench:canvas:{" + ManyClientsBench.PROJECT + "}:objects";
      assertThat(commands.get("get")).as("a get between TTL slides")
          .matches("HGET \\Q" + hash + "\\E [0-9a-f-]{36}");
      assertThat(commands.get("put"))
          .as("the put script: key, TTL, id, value, canvas limit, event channel, instance id")
          .matches("EVALSHA [0-9a-f]{40} 1 \\Q" + hash + "\\E 3600000 [0-9a-f-]{36}"
              + " <\\d+ B of JSON> 1000000 \\S+:events \\S+");
    }
  }

  @Test
  void ranByScript_tellsALuaClientFromANetworkOne() {
    assertThat(RedisBenchmarkCommands.ranByScript(
        "1764158000.123456 [0 lua] \"PEXPIRE\" \"k\" \"3600000\"")).isTrue();
    assertThat(RedisBenchmarkCommands.ranByScript(
        "1764158000.123456 [0 127.0.0.1:50000] \"EVALSHA\" \"abc\" \"1\" \"k\"")).isFalse();
    assertThat(RedisBenchmarkCommands.ranByScript(
        "1764158000.123456 [0 unix:/tmp/redis.sock] \"HGET\" \"lua]\" \"f\"")).isFalse();
  }
}
