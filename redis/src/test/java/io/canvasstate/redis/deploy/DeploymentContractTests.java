package io.canvasstate.redis.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;

/**
 * The contract suites (canvas, asMap, presence, and the canvas and presence events) on one
 * deployment, as {@code @Nested} classes that a deployment's test inherits; it supplies
 * {@link #deployment()} and adds its own nested classes from {@code @Order(4)} on, which run
 * after the suites.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
abstract class DeploymentContractTests {
  /** The deployment the suites run on. */
  abstract TestDeployment deployment();

  @AfterAll
  static void closeDeployments() {
    TestDeployment.closeAll();
  }

  @Nested
  @Order(1)
  class Canvas extends DeployedCanvasStoreContract {
    @Override
    protected TestDeployment deployment() {
      return DeploymentContractTests.this.deployment();
    }
  }

  @Nested
  @Order(2)
  class CanvasMap extends DeployedCanvasMapContract {
    @Override
    protected TestDeployment deployment() {
      return DeploymentContractTests.this.deployment();
    }
  }

  @Nested
  @Order(3)
  class Presence extends DeployedPresenceStoreContract {
    @Override
    protected TestDeployment deployment() {
      return DeploymentContractTests.this.deployment();
    }
  }

  @Nested
  @Order(3)
  class CanvasEvents extends DeployedEventsContracts.Canvas {
    @Override
    protected TestDeployment deployment() {
      return DeploymentContractTests.this.deployment();
    }
  }

  @Nested
  @Order(3)
  class PresenceEvents extends DeployedEventsContracts.Presence {
    @Override
    protected TestDeployment deployment() {
      return DeploymentContractTests.this.deployment();
    }
  }
}
