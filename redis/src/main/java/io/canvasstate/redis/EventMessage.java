package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;
import java.util.Optional;

/**
 * One change as published on a channel by the write scripts: {@code <kind>\n<instance
 * id>\n<object or user id>\n<value>}. Ids cannot contain a newline (they are validated), so the
 * first three newlines split the fields and the value is the rest, untouched: plain JSON that any
 * client subscribed to the channel can read.
 *
 * <table>
 *   <caption>Kinds</caption>
 *   <tr><td>{@code P}</td><td>object put, with its value</td></tr>
 *   <tr><td>{@code R}</td><td>object removed</td></tr>
 *   <tr><td>{@code C}</td><td>canvas cleared (no id)</td></tr>
 *   <tr><td>{@code J} / {@code U}</td><td>presence joined / updated, with its value</td></tr>
 *   <tr><td>{@code L} / {@code E}</td><td>presence left: removed / expired</td></tr>
 *   <tr><td>{@code J} / {@code j}, {@code U}</td><td>on a room's channel: a connection joined
 *       (capital: its user joined) / updated, with its value; the id is
 *       {@code <userId>:<connectionId>}</td></tr>
 *   <tr><td>{@code L} / {@code l}, {@code E} / {@code e}</td><td>on a room's channel: a
 *       connection removed / ended (capital: its user left)</td></tr>
 * </table>
 *
 * @param kind one of the kinds above
 * @param instanceId the id of the instance that made the change
 * @param id the object or user id; empty for {@code C}
 * @param value the new value's bytes; empty when there is none
 */
record EventMessage(char kind, String instanceId, String id, byte[] value) {

  /** Parses a message; empty if it is not in this format (published by someone else). */
  static Optional<EventMessage> parse(byte[] message) {
    int a = indexOf(message, 0);
    int b = a < 0 ? -1 : indexOf(message, a + 1);
    int c = b < 0 ? -1 : indexOf(message, b + 1);
    if (a != 1 || c < 0) {
      return Optional.empty();
    }
    return Optional.of(new EventMessage((char) message[0],
        new String(message, a + 1, b - a - 1, UTF_8),
        new String(message, b + 1, c - b - 1, UTF_8),
        Arrays.copyOfRange(message, c + 1, message.length)));
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventMessage m && kind == m.kind && instanceId.equals(m.instanceId)
        && id.equals(m.id) && Arrays.equals(value, m.value);
  }

  @Override
  public int hashCode() {
    return (kind * 31 + instanceId.hashCode()) * 31 + id.hashCode();
  }

  @Override
  public String toString() {
    return "EventMessage[" + kind + ", " + instanceId + ", " + id + ", " + value.length + " bytes]";
  }
}
