/**
 * CanvasState's Spring Boot starter: the auto-configuration, its {@code canvasstate.*}
 * properties, the typed-store factory and the health indicator. The package is open, for
 * Spring's reflection.
 */
open module io.canvasstate.spring {
  requires transitive io.canvasstate.redis;
  requires static transitive io.canvasstate.micrometer;
  requires static micrometer.core;
  requires transitive spring.boot.autoconfigure;
  requires transitive spring.boot;
  requires transitive spring.context;
  requires transitive spring.beans;
  requires static transitive spring.boot.health;
  requires org.slf4j;
  requires static org.jspecify;

  exports io.canvasstate.spring;
}
