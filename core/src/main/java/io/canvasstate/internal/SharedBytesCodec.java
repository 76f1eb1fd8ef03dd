package io.canvasstate.internal;

import io.canvasstate.Codec;

/**
 * The raw byte codec without the copies {@link Codec#bytes()} makes: arrays pass through as
 * they are. Only for byte stores that no caller can reach and whose arrays nobody modifies, such
 * as the Redis and in-memory stores under the failover decorator that {@code RedisStores}
 * builds: there it saves a copy of every value read or written, and lets the fallback, the local
 * copy and the outage journal share one array per value. Not API.
 */
public enum SharedBytesCodec implements Codec<byte[]> {
  INSTANCE;

  @Override
  public byte[] encode(byte[] value) {
    return value;
  }

  @Override
  public byte[] decode(byte[] bytes) {
    return bytes;
  }

  @Override
  public String toString() {
    return "SharedBytesCodec";
  }
}
