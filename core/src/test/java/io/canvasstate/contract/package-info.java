/**
 * The contract every store implementation runs: abstract JUnit 5 classes that use only the
 * public API and define the observable semantics of {@link io.canvasstate.CanvasStore},
 * {@link io.canvasstate.PresenceStore} and {@link io.canvasstate.CanvasStore#asMap}.
 *
 * <p>A store's test extends {@link io.canvasstate.contract.CanvasStoreContract},
 * {@link io.canvasstate.contract.PresenceStoreContract} and
 * {@link io.canvasstate.contract.CanvasMapContract}, supplies a factory and a way to let time
 * pass, and declares what it can do beyond the common contract as
 * {@link io.canvasstate.contract.Capability} flags. Shipped in core's test-jar.
 */
@NullMarked
package io.canvasstate.contract;

import org.jspecify.annotations.NullMarked;
