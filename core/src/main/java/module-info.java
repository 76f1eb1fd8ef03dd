/**
 * CanvasState core: the store API, codecs, key schema, configuration and the failover decorator.
 *
 * <p>Only {@code io.canvasstate}, {@code io.canvasstate.failover} and
 * {@code io.canvasstate.persistence} are API. The
 * {@code internal} package is shared with the other CanvasState modules and nothing else.
 */
module io.canvasstate {
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.canvasstate;
  exports io.canvasstate.failover;
  exports io.canvasstate.persistence;
  exports io.canvasstate.internal to
      io.canvasstate.inmemory,
      io.canvasstate.redis,
      io.canvasstate.dynamodb;
}
