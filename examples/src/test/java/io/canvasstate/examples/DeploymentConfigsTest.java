package io.canvasstate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.canvasstate.StoreConfig;
import io.canvasstate.StoreConfig.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's deployment examples build, select what they say, and match the docs. */
class DeploymentConfigsTest {

  @Test
  void examples_eachDeployment_selectsItAndEqualsItsEnvironmentForm() {
    assertThat(DeploymentConfigs.standalone().deployment()).isEqualTo(Deployment.STANDALONE);
    assertThat(DeploymentConfigs.cluster().toString()).isEqualTo(StoreConfig.from(Map.of(
        "REDIS_CLUSTER_ENDPOINTS", "10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379")).toString());
    assertThat(DeploymentConfigs.sentinel("pw1", "pw2").toString()).isEqualTo(StoreConfig.from(
        Map.of("REDIS_SENTINEL_MASTER", "canvas-master",
            "REDIS_SENTINEL_NODES", "sentinel-1:26379,sentinel-2:26379,sentinel-3:26379",
            "REDIS_PASSWORD", "pw1", "REDIS_SENTINEL_PASSWORD", "pw2")).toString());
    assertThat(DeploymentConfigs.mutualTls().toString()).isEqualTo(StoreConfig.from(Map.of(
        "REDIS_URL", "rediss://redis.internal:6380",
        "REDIS_TLS_CA_FILE", "/etc/canvasstate/redis-ca.pem",
        "REDIS_TLS_CERT_FILE", "/etc/canvasstate/client.pem",
        "REDIS_TLS_KEY_FILE", "/etc/canvasstate/client.key")).toString());
    assertThat(DeploymentConfigs.aclUser("pw").toString()).isEqualTo(StoreConfig.from(Map.of(
        "REDIS_URL", "redis://redis.internal:6379", "REDIS_USERNAME", "canvasstate",
        "REDIS_PASSWORD", "pw", "CANVASSTATE_KEY_PREFIX", "myapp:")).toString());
    StoreConfig tuned = DeploymentConfigs.tuned();
    assertThat(tuned.poolSize()).isEqualTo(32);
    assertThat(tuned.timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(tuned.maxRetryDuration()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void docs_aclLine_isTheOneTheLibraryNeeds() throws IOException {
    List<String> docs = new ArrayList<>();
    for (String name : List.of("README.md", "docs/deployments.md")) {
      Path file = Path.of("..").resolve(name);
      if (Files.exists(file)) {
        docs.add(Files.readString(file, StandardCharsets.UTF_8));
      }
    }

    assertThat(docs).as("README.md or docs/deployments.md")
        .anySatisfy(text -> assertThat(text).contains(DeploymentConfigs.aclSetUser()));
  }
}
