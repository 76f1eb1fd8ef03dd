package io.canvasstate;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * The Redis keys CanvasState writes, and the one place where ids are validated.
 *
 * <table>
 *   <caption>Keys, for the prefix {@code ""}</caption>
 *   <tr><th>key</th><th>type</th><th>holds</th></tr>
 *   <tr><td>{@code canvas:{<projectId>}:objects}</td><td>hash</td>
 *       <td>object id &rarr; object JSON; expires as a unit after the canvas TTL</td></tr>
 *   <tr><td>{@code projects:active}</td><td>sorted set</td>
 *       <td>project id, scored by the time (ms) after which it is no longer active</td></tr>
 *   <tr><td>{@code presence:{users}}</td><td>hash</td><td>user id &rarr; presence JSON</td></tr>
 *   <tr><td>{@code presence:{users}:active}</td><td>sorted set</td>
 *       <td>user id, scored by the time (ms) at which the presence expires</td></tr>
 * </table>
 *
 * <p>Rooms ({@link RoomPresenceStore}) write three keys per room under the room's own hash tag,
 * through {@link #roomKey}: {@code room:{<roomId>}:connections} (hash), {@code
 * room:{<roomId>}:ends} (sorted set) and {@code room:{<roomId>}:index} (hash).
 *
 * <p>With {@linkplain io.canvasstate.persistence.Persistence persistence}, a store also writes:
 *
 * <table>
 *   <caption>Persistence keys, for the prefix {@code ""}</caption>
 *   <tr><th>key</th><th>type</th><th>holds</th></tr>
 *   <tr><td>{@code canvas:{<projectId>}:dirty}</td><td>hash</td>
 *       <td>object id &rarr; version of its unsaved change and whether it is an upsert
 *       ({@code u}) or a delete ({@code d}); no TTL</td></tr>
 *   <tr><td>{@code canvas:{<projectId>}:persist}</td><td>hash</td>
 *       <td>the project's version counter ({@code n}) and the saving worker's claim
 *       ({@code owner}, {@code until}); no TTL while there are unsaved changes</td></tr>
 *   <tr><td>{@code canvas:{<projectId>}:load}</td><td>string</td>
 *       <td>the load lease of the instance loading the project, or {@code E}: the repository
 *       has nothing for it</td></tr>
 *   <tr><td>{@code projects:dirty}</td><td>sorted set</td>
 *       <td>project id, scored by the time (ms) of its oldest unsaved change</td></tr>
 *   <tr><td>{@code projects:{projects:dirty}:due}</td><td>sorted set</td>
 *       <td>the same projects, scored by when (ms) a worker may next take them; in the slot of
 *       {@code projects:dirty}</td></tr>
 * </table>
 *
 * <p>The braces are a Redis Cluster hash tag: everything of one project lives in one slot, and
 * so does all presence, which lets each operation be one atomic script on a cluster too. Other
 * keys a store adds for a project go under the same tag, through {@link #projectKey}.
 *
 * <p>Ids are checked by {@link #requireValidId}: a valid id can never address another
 * project's keys. Instances are immutable and thread-safe.
 */
public final class KeySchema {
  /** The longest id accepted, in chars. */
  public static final int MAX_ID_LENGTH = 512;
  /** The longest key prefix accepted, in chars. */
  public static final int MAX_PREFIX_LENGTH = 128;
  /** The schema with no prefix. */
  public static final KeySchema DEFAULT = new KeySchema("");

  private final String prefix;
  private final String activeProjectsKey;
  private final String dirtyProjectsKey;
  private final String dueProjectsKey;
  private final String presenceKey;
  private final String activeUsersKey;

  private KeySchema(String prefix) {
    this.prefix = prefix;
    this.activeProjectsKey = prefix + "projects:active";
    this.dirtyProjectsKey = prefix + "projects:dirty";
    this.dueProjectsKey = prefix + "projects:{" + dirtyProjectsKey + "}:due";
    this.presenceKey = prefix + "presence:{users}";
    this.activeUsersKey = prefix + "presence:{users}:active";
  }

  /**
   * A schema whose keys all start with {@code prefix}, such as {@code "myapp:"}, so that several
   * applications can share one Redis.
   *
   * @throws IllegalArgumentException if the prefix is too long or contains a brace, whitespace or
   *     a control character
   */
  public static KeySchema withPrefix(String prefix) {
    requireNonNull(prefix, "prefix");
    if (prefix.isEmpty()) {
      return DEFAULT;
    }
    if (prefix.length() > MAX_PREFIX_LENGTH) {
      throw new IllegalArgumentException(
          "key prefix must be at most " + MAX_PREFIX_LENGTH + " chars, was " + prefix.length());
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c == '{' || c == '}' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "key prefix must not contain " + describe(c) + ": \"" + escape(prefix) + "\"");
      }
    }
    return new KeySchema(prefix);
  }

  /** The prefix every key starts with; empty for none. */
  public String prefix() {
    return prefix;
  }

  /** The hash holding a project's objects. */
  public String objectsKey(String projectId) {
    return projectKey(projectId, "objects");
  }

  /**
   * A key of a project's under its hash tag, {@code <prefix>canvas:{<projectId>}:<suffix>}, for
   * stores that keep more per project (versions, events, dirty sets).
   */
  public String projectKey(String projectId, String suffix) {
    requireValidId("projectId", projectId);
    return prefix + "canvas:{" + projectId + "}:" + suffix;
  }

  /** The sorted set of active projects, scored by expiry time. */
  public String activeProjectsKey() {
    return activeProjectsKey;
  }

  /**
   * The sorted set of projects with unsaved changes, scored by the time of the oldest one, that
   * {@linkplain io.canvasstate.persistence.AutoSaveWorker auto-save workers} go through.
   */
  public String dirtyProjectsKey() {
    return dirtyProjectsKey;
  }

  /**
   * The sorted set of the dirty projects scored by when a worker may next take them, in the
   * Cluster slot of {@link #dirtyProjectsKey()} (its hash tag is that key).
   */
  public String dueProjectsKey() {
    return dueProjectsKey;
  }

  /**
   * A key of a room's under the room's hash tag, {@code <prefix>room:{<roomId>}:<suffix>}: a
   * room's keys live in one Cluster slot (the slot of the project of the same id), and rooms
   * spread over the Cluster.
   *
   * @throws IllegalArgumentException if the room id is invalid
   */
  public String roomKey(String roomId, String suffix) {
    requireValidId("roomId", roomId);
    return prefix + "room:{" + roomId + "}:" + suffix;
  }

  /** The hash of every user's presence. */
  public String presenceKey() {
    return presenceKey;
  }

  /** The sorted set of active users, scored by expiry time; same hash tag as the presence hash. */
  public String activeUsersKey() {
    return activeUsersKey;
  }

  /**
   * Checks an id (project, object or user) and returns it.
   *
   * @param name what the id is, for the message: {@code "projectId"}, {@code "objectId"}...
   * @throws NullPointerException if {@code id} is null
   * @throws IllegalArgumentException if it is empty, longer than {@link #MAX_ID_LENGTH}, or
   *     contains {@code '{'}, {@code '}'}, {@code ':'}, whitespace, a control character or a lone
   *     surrogate (which would not survive UTF-8)
   */
  public static String requireValidId(String name, String id) {
    requireNonNull(id, name);
    if (id.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException(name + " must be at most " + MAX_ID_LENGTH
          + " chars, was " + id.length() + ": \"" + escape(id.substring(0, 40)) + "...\"");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c > ' ' && c < 0x7f && c != '{' && c != '}' && c != ':') {
        continue; // printable ASCII other than the separators, the common case: nothing to check
      }
      if (c == '{' || c == '}' || c == ':' || Character.isWhitespace(c)
          || Character.isSpaceChar(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            name + " must not contain " + describe(c) + ": \"" + escape(id) + "\"");
      }
      if (Character.isHighSurrogate(c) && i + 1 < id.length()
          && Character.isLowSurrogate(id.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            name + " must not contain a lone surrogate: \"" + escape(id) + "\"");
      }
    }
    return id;
  }

  private static String describe(char c) {
    if (Character.isISOControl(c)) {
      return "a control character";
    }
    if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
      return "whitespace";
    }
    return "'" + c + "'";
  }

  /** The id with control characters and lone surrogates shown as Java escapes. */
  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || Character.isSurrogate(c) || c == '"' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof KeySchema other && prefix.equals(other.prefix);
  }

  @Override
  public int hashCode() {
    return prefix.hashCode();
  }

  @Override
  public String toString() {
    return "KeySchema[prefix=\"" + prefix + "\"]";
  }
}
