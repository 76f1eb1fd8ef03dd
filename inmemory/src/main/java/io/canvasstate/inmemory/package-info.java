/**
 * In-memory stores: {@link io.canvasstate.inmemory.InMemoryCanvasStore} and
 * {@link io.canvasstate.inmemory.InMemoryPresenceStore} keep state in this process with the same
 * observable semantics as the Redis stores, TTL included (the contract suite in core's test-jar
 * is the definition).
 *
 * <p>They are also the fake for unit tests of code that uses a store: values are kept as their
 * encoded bytes, so serialization bugs show up as they would against Redis; time comes from an
 * injected {@link java.time.InstantSource} such as {@link io.canvasstate.inmemory.ManualClock};
 * and {@link io.canvasstate.inmemory.FaultInjectingCanvasStore} and
 * {@link io.canvasstate.inmemory.FaultInjectingPresenceStore} wrap any store to make its calls
 * fail or slow down on demand, under the control of a {@link io.canvasstate.inmemory.Faults}
 * switch.
 */
@NullMarked
package io.canvasstate.inmemory;

import org.jspecify.annotations.NullMarked;
