/**
 * Tests of the production deployments, against real servers the tests start on loopback: Redis
 * Cluster, Sentinel, TLS (and mutual TLS), and ACL users. Each deployment runs the contract
 * suites through {@link io.canvasstate.redis.deploy.TestDeployment}, then its own failure cases.
 */
@NullMarked
package io.canvasstate.redis.deploy;

import org.jspecify.annotations.NullMarked;
