package io.canvasstate.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script with its SHA-1, computed once, so that calls send {@code EVALSHA} and only fall
 * back to {@code EVAL} when the server answers {@code NOSCRIPT}. Immutable and thread-safe.
 */
final class Script {
  private final String name;
  private final byte[] body;
  private final byte[] sha;

  private Script(String name, String body) {
    this.name = name;
    this.body = body.getBytes(UTF_8);
    this.sha = sha1Hex(this.body).getBytes(US_ASCII);
  }

  static Script of(String name, String body) {
    return new Script(name, body);
  }

  /** The script's text, for {@code EVAL}; callers must not change it. */
  byte[] body() {
    return body;
  }

  /** The lowercase hex SHA-1 of the text, for {@code EVALSHA}; callers must not change it. */
  byte[] sha() {
    return sha;
  }

  String name() {
    return name;
  }

  private static String sha1Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }

  @Override
  public String toString() {
    return "Script[" + name + "]";
  }
}
