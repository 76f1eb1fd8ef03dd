package io.canvasstate;

/** Why a listener is told to read state again: the reason of a resync event. */
public enum ResyncReason {
  /**
   * The store's event connection was lost (the server went away, a network blip, a listener so
   * slow that the server dropped the connection) and has been restored: events published in
   * between were not received.
   */
  RECONNECTED,
  /**
   * A {@link io.canvasstate.failover.FailoverStore} switched between its primary and its
   * fallback: what was written while the primary was away reaches the primary only now, and
   * other instances' writes in that time were not seen.
   */
  FAILOVER,
  /** An event arrived that could not be decoded (written by an incompatible client) and was dropped. */
  UNDECODABLE_EVENT
}
