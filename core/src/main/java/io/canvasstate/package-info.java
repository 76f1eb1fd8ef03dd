/**
 * The CanvasState API: {@link io.canvasstate.CanvasStore} for canvas objects per project,
 * {@link io.canvasstate.PresenceStore} for live users, the {@link io.canvasstate.Codec} that
 * turns values into the JSON stored, the {@link io.canvasstate.KeySchema} every store shares,
 * {@link io.canvasstate.TtlPolicy} and {@link io.canvasstate.StoreConfig}.
 *
 * <p>Implementations live in {@code io.canvasstate.inmemory} (also the test fake),
 * {@code io.canvasstate.redis} and {@code io.canvasstate.failover}.
 */
@NullMarked
package io.canvasstate;

import org.jspecify.annotations.NullMarked;
