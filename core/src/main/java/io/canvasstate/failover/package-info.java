/**
 * The failover decorator: {@link io.canvasstate.failover.FailoverStore} keeps canvas and
 * presence stores serving from memory while Redis is down, journals what changes, and writes it
 * back under a documented conflict rule when Redis returns.
 *
 * <p>{@link io.canvasstate.failover.FailoverConfig} tunes detection, probing and memory bounds;
 * {@link io.canvasstate.failover.FailoverListener} hears transitions, conflicts and dropped
 * changes; {@link io.canvasstate.failover.FailoverStats} is a snapshot of the state and
 * counters.
 */
@NullMarked
package io.canvasstate.failover;

import org.jspecify.annotations.NullMarked;
