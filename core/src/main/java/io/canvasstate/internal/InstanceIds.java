package io.canvasstate.internal;

import io.canvasstate.KeySchema;
import java.util.concurrent.ThreadLocalRandom;

/** Makes and checks the instance ids that stores put on the events they originate. Not API. */
public final class InstanceIds {
  private InstanceIds() {}

  /** A fresh random id such as {@code "i-3f9c2a7b51d0"}: 48 random bits, unique in practice. */
  public static String random() {
    return String.format("i-%012x", ThreadLocalRandom.current().nextLong() >>> 16);
  }

  /**
   * Checks an instance id given by the user: it must be a valid id ({@link
   * KeySchema#requireValidId}), which keeps it safe inside event messages.
   *
   * @throws IllegalArgumentException if it is not
   */
  public static String require(String instanceId) {
    return KeySchema.requireValidId("instanceId", instanceId);
  }
}
