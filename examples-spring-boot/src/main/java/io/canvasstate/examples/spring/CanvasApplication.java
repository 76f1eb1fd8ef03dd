package io.canvasstate.examples.spring;

import io.canvasstate.CanvasStore;
import io.canvasstate.PresenceStore;
import io.canvasstate.redis.RedisStores;
import io.canvasstate.spring.CanvasStateStores;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * The canvas server as a Spring Boot application: the canvas page at {@code /}, its WebSocket at
 * {@code /ws}, and the stores from the CanvasState starter, configured by {@code canvasstate.*}
 * properties or the environment ({@code REDIS_URL}). Run two on one Redis (two ports) and open
 * the page on each: both show the same canvas and each other's cursors. Metrics are at
 * {@code /actuator/prometheus}, health at {@code /actuator/health}.
 */
@SpringBootApplication
public class CanvasApplication {
  /** Made by Spring. */
  public CanvasApplication() {}

  /**
   * Starts the server.
   *
   * @param args Spring Boot arguments, such as {@code --server.port=8081}
   */
  public static void main(String[] args) {
    SpringApplication.run(CanvasApplication.class, args);
  }

  /** The canvas objects: a typed store from the starter. */
  @Bean
  public CanvasStore<Shape> shapes(CanvasStateStores stores) {
    return stores.canvas("shapes", Shape.class);
  }

  /** Who is on which canvas, and where their mouse is. */
  @Bean
  public PresenceStore<Cursor> cursors(CanvasStateStores stores) {
    return stores.presence("cursors", Cursor.class);
  }

  /** The WebSocket handler, one per application. */
  @Bean
  public CanvasSocketHandler canvasSocketHandler(CanvasStore<Shape> shapes,
      PresenceStore<Cursor> cursors, RedisStores redis) {
    return new CanvasSocketHandler(shapes, cursors, "Redis " + redis.config().deployment()
        .name().toLowerCase(java.util.Locale.ROOT));
  }

  /** Serves the handler at {@code /ws}. */
  @Configuration(proxyBeanMethods = false)
  @EnableWebSocket
  public static class Sockets implements WebSocketConfigurer {
    private final CanvasSocketHandler handler;

    /** The WebSocket configuration of {@code handler}. */
    public Sockets(CanvasSocketHandler handler) {
      this.handler = handler;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
      registry.addHandler(handler, "/ws");
    }
  }
}
