/**
 * Tests of the failover decorator ({@code io.canvasstate.failover}) over the in-memory fake:
 * the state machine driven by a manual clock, fault-injecting decorators and manual probes, and
 * the contract suites in both the healthy and the failed-over state. They live here because
 * core's own tests cannot depend on the in-memory module.
 */
@NullMarked
package io.canvasstate.inmemory.failover;

import org.jspecify.annotations.NullMarked;
