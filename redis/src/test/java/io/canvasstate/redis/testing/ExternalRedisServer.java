package io.canvasstate.redis.testing;

import java.net.URI;
import redis.clients.jedis.Jedis;

/** The server {@code REDIS_URL} names: used as it is, never killed, paused or flushed. */
final class ExternalRedisServer implements RedisServer {
  private final String url;
  private final URI uri;
  private final SharedJedis shared = new SharedJedis(this::connect);

  ExternalRedisServer(String url) {
    this.url = url.trim();
    this.uri = URI.create(this.url);
  }

  @Override
  public String host() {
    return uri.getHost();
  }

  @Override
  public int port() {
    return uri.getPort() < 0 ? 6379 : uri.getPort();
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public Jedis jedis() {
    return shared.get();
  }

  @Override
  public Jedis connect() {
    return new Jedis(uri, SharedJedis.config());
  }

  @Override
  public boolean isControllable() {
    return false;
  }

  @Override
  public void stop() {
    shared.close();
  }

  @Override
  public String toString() {
    return "ExternalRedisServer[" + host() + ":" + port() + " from REDIS_URL]";
  }
}
