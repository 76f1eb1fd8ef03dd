package io.canvasstate.examples.spring;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canvasstate.CanvasEvent;
import io.canvasstate.CanvasStore;
import io.canvasstate.PresenceEvent;
import io.canvasstate.PresenceStore;
import io.canvasstate.Subscription;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The canvas protocol over WebSocket, one JSON object per text message.
 *
 * <p>The page connects to {@code /ws?project=<id>&user=<id>}. The server subscribes to the
 * project's changes, then sends {@code hello} with this instance's id, the store, the canvas
 * ({@code objects}) and the cursors of the project ({@code cursors}). From then on it forwards
 * every change, whichever instance made it: {@code put} (with {@code objectId} and {@code
 * object}), {@code removed}, {@code cleared}, {@code cursor} (with {@code userId} and {@code
 * cursor}), {@code left}, and {@code snapshot} (the whole canvas and cursors again) after a
 * resync. The page sends {@code put}, {@code remove}, {@code clear} and {@code cursor} (its
 * heartbeat: name, colour, position); a message that cannot be applied is answered with
 * {@code error}. Closing the socket removes the person's cursor. Thread-safe.
 */
public final class CanvasSocketHandler extends TextWebSocketHandler implements DisposableBean {
  private static final Logger LOG = LoggerFactory.getLogger(CanvasSocketHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SEND_TIME_LIMIT_MS = 5_000;
  private static final int BUFFER_LIMIT_BYTES = 1 << 20;

  private final CanvasStore<Shape> canvas;
  private final PresenceStore<Cursor> presence;
  private final String store;
  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  private final Subscription presenceEvents;

  /** One connected page. */
  private record Client(WebSocketSession socket, String project, String user,
      Subscription canvasEvents) {}

  /** A handler serving {@code canvas} and {@code presence}; {@code store} names them on the page. */
  public CanvasSocketHandler(CanvasStore<Shape> canvas, PresenceStore<Cursor> presence,
      String store) {
    this.canvas = requireNonNull(canvas, "canvas");
    this.presence = requireNonNull(presence, "presence");
    this.store = requireNonNull(store, "store");
    this.presenceEvents = presence.subscribe(this::onPresence);
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws IOException {
    URI uri = requireNonNull(session.getUri(), "uri");
    var query = UriComponentsBuilder.fromUri(uri).build().getQueryParams();
    String project = query.getFirst("project");
    String user = query.getFirst("user");
    if (project == null || user == null) {
      session.close(CloseStatus.BAD_DATA.withReason("project and user are required"));
      return;
    }
    WebSocketSession socket =
        new ConcurrentWebSocketSessionDecorator(session, SEND_TIME_LIMIT_MS, BUFFER_LIMIT_BYTES);
    Subscription events;
    try {
      // Subscribed first, then read: no change falls in between.
      events = canvas.subscribe(project, event -> onCanvas(socket, event));
    } catch (IllegalArgumentException e) {
      session.close(CloseStatus.BAD_DATA.withReason(e.getMessage()));
      return;
    }
    clients.put(session.getId(), new Client(socket, project, user, events));
    send(socket, snapshot("hello", project).put("instanceId", canvas.instanceId())
        .put("store", store));
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message)
      throws IOException {
    Client client = clients.get(session.getId());
    if (client == null) {
      return;
    }
    try {
      JsonNode m = JSON.readTree(message.getPayload());
      switch (m.path("type").asText()) {
        case "put" -> canvas.put(client.project, m.path("objectId").asText(),
            JSON.treeToValue(m.path("object"), Shape.class));
        case "remove" -> canvas.remove(client.project, m.path("objectId").asText());
        case "clear" -> canvas.clear(client.project);
        case "cursor" -> presence.put(client.user, new Cursor(m.path("name").asText(),
            m.path("color").asText(), m.path("x").asDouble(), m.path("y").asDouble(),
            client.project));
        default -> throw new IllegalArgumentException(
            "unknown message type: \"" + m.path("type").asText() + "\"");
      }
    } catch (IOException | RuntimeException e) {
      send(client.socket, JSON.createObjectNode().put("type", "error")
          .put("message", e.getMessage()));
    }
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    Client client = clients.remove(session.getId());
    if (client != null) {
      client.canvasEvents.close();
      try {
        presence.remove(client.user);
      } catch (RuntimeException e) {
        LOG.debug("Could not remove the cursor of a closed page: {}", e.toString());
      }
    }
  }

  private void onCanvas(WebSocketSession socket, CanvasEvent<Shape> event) {
    ObjectNode m = JSON.createObjectNode();
    if (event instanceof CanvasEvent.Put<Shape> put) {
      m.put("type", "put").put("objectId", put.objectId())
          .set("object", JSON.valueToTree(put.value()));
    } else if (event instanceof CanvasEvent.Removed<Shape> removed) {
      m.put("type", "removed").put("objectId", removed.objectId());
    } else if (event instanceof CanvasEvent.Cleared<Shape>) {
      m.put("type", "cleared");
    } else {
      m = snapshot("snapshot", event.projectId());
    }
    send(socket, m);
  }

  private void onPresence(PresenceEvent<Cursor> event) {
    if (event instanceof PresenceEvent.Joined<Cursor> joined) {
      cursorMoved(joined.userId(), joined.presence());
    } else if (event instanceof PresenceEvent.Updated<Cursor> updated) {
      cursorMoved(updated.userId(), updated.presence());
    } else if (event instanceof PresenceEvent.Left<Cursor> left) {
      ObjectNode m = JSON.createObjectNode().put("type", "left").put("userId", left.userId());
      clients.values().forEach(c -> send(c.socket, m));
    } else {
      clients.values().forEach(c -> send(c.socket, snapshot("snapshot", c.project)));
    }
  }

  private void cursorMoved(String userId, Cursor cursor) {
    ObjectNode m = JSON.createObjectNode().put("type", "cursor").put("userId", userId);
    m.set("cursor", JSON.valueToTree(cursor));
    for (Client c : clients.values()) {
      if (c.project.equals(cursor.projectId()) && !c.user.equals(userId)) {
        send(c.socket, m);
      }
    }
  }

  /** The project's canvas and cursors, as a message of {@code type}. */
  private ObjectNode snapshot(String type, String project) {
    ObjectNode m = JSON.createObjectNode().put("type", type);
    m.set("objects", JSON.valueToTree(canvas.getAll(project)));
    ObjectNode cursors = m.putObject("cursors");
    presence.getAll().forEach((user, cursor) -> {
      if (cursor.projectId().equals(project)) {
        cursors.set(user, JSON.valueToTree(cursor));
      }
    });
    return m;
  }

  private static void send(WebSocketSession socket, JsonNode message) {
    try {
      socket.sendMessage(new TextMessage(JSON.writeValueAsString(message)));
    } catch (IOException | RuntimeException e) {
      // A page that went away, or one too slow to keep up: it reconnects and reloads.
      LOG.debug("Could not send to a page: {}", e.toString());
    }
  }

  /** Ends the presence subscription; the stores are closed by Spring after this. */
  @Override
  public void destroy() {
    presenceEvents.close();
  }
}
