/**
 * CanvasState in memory: the Map-based stores, which have the same observable semantics as the
 * Redis stores and double as the unit-test fake ({@link io.canvasstate.inmemory.ManualClock},
 * {@link io.canvasstate.inmemory.Faults}).
 */
module io.canvasstate.inmemory {
  requires transitive io.canvasstate;
  requires org.slf4j;
  requires static org.jspecify;

  exports io.canvasstate.inmemory;
}
