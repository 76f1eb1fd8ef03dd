package io.canvasstate.benchmarks;

import io.canvasstate.redis.RedisStores;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;
import redis.clients.jedis.UnifiedJedis;

/**
 * The base of the benchmarks on Redis: the library's {@link RedisStores} and a raw Jedis client
 * set up like it ({@link Env#rawClient}), on the same server, both opened on first use (in a
 * benchmark's setup) and closed after the trial.
 */
public abstract class RedisBench {
  private @Nullable RedisStores stores;
  private @Nullable UnifiedJedis jedis;

  /** The library's stores factory, with the benchmark configuration ({@link Env#config}). */
  protected final RedisStores stores() {
    RedisStores s = stores;
    if (s == null) {
      s = RedisStores.create(Env.config());
      stores = s;
    }
    return s;
  }

  /** The raw client of the baselines. */
  protected final UnifiedJedis jedis() {
    UnifiedJedis j = jedis;
    if (j == null) {
      j = Env.rawClient();
      jedis = j;
    }
    return j;
  }

  @TearDown(Level.Trial)
  public void closeRedis() {
    if (stores != null) {
      stores.close();
      stores = null;
    }
    if (jedis != null) {
      jedis.close();
      jedis = null;
    }
  }
}
