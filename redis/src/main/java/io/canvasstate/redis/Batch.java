package io.canvasstate.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Commands sent together as one pipeline: one network round trip (on a cluster, to each node
 * at once).
 *
 * <p>Scripts go as {@code EVALSHA}. If the server has lost them ({@code NOSCRIPT}, after a
 * restart, a failover or {@code SCRIPT FLUSH}), the batch sends again, as {@code EVAL} (which
 * also loads them), the commands from the first one that failed so. The commands before it ran
 * and keep their replies; the ones after it must therefore be safe to run twice, which the stores
 * guarantee by putting at most one non-idempotent script first and only idempotent commands
 * (marks, slides, reads) after it. On a cluster, a command answered with {@code MOVED} (its slot
 * moved to another node) did not run: the batch reloads the slot map and sends again, the same
 * way, from the first such command, at most {@link io.canvasstate.StoreConfig#maxAttempts()}
 * times in all.
 *
 * <p>Used by one thread for one operation; not thread-safe.
 */
final class Batch {
  private final RedisBackend backend;
  private final String op;
  private final List<Step<?>> steps = new ArrayList<>(4);

  Batch(RedisBackend backend, String op) {
    this.backend = backend;
    this.op = op;
  }

  /** Adds a script call; its reply is Jedis' raw one (byte[], Long, List or null). */
  Step<@Nullable Object> script(Script script, String key, List<byte[]> keys, List<byte[]> args) {
    return add(new Step<>(key, (p, eval) -> eval
        ? p.eval(script.body(), keys, args)
        : p.evalsha(script.sha(), keys, args)));
  }

  /** Adds a plain command, named by the key it addresses. */
  <R> Step<R> command(String key, Function<AbstractPipeline, Response<R>> command) {
    return add(new Step<>(key, (p, eval) -> command.apply(p)));
  }

  private <R> Step<R> add(Step<R> step) {
    steps.add(step);
    return step;
  }

  /**
   * Sends the commands and reads every reply. A command's own error reply is thrown by its
   * {@link Step#get()}, so that callers see the error of the command they asked about.
   *
   * @throws io.canvasstate.StoreUnavailableException if Redis cannot be reached or times out
   * @throws io.canvasstate.StoreException if it fails otherwise
   * @throws IllegalStateException if the stores were closed
   */
  void run() {
    int from = 0;
    boolean eval = false;
    int redirects = 0;
    while (from < steps.size()) {
      try (AbstractPipeline pipeline = backend.pipelined()) {
        for (int i = from; i < steps.size(); i++) {
          Step<?> step = steps.get(i);
          step.send(pipeline, eval);
        }
        pipeline.sync();
      } catch (RuntimeException e) {
        throw backend.map(op, steps.get(from).key, e);
      }
      int moved = firstFailedWith(from, JedisMovedDataException.class);
      if (moved >= 0 && ++redirects < backend.config().maxAttempts()) {
        // On a cluster the slot now lives on another node (a resharding or a failover ended):
        // that command and the ones after it in its slot did not run. Reload the slot map and
        // send them again; the commands after it are safe to repeat, as for NOSCRIPT below.
        backend.refreshTopologyNow();
        from = moved;
        continue;
      }
      int lost = firstFailedWith(from, JedisNoScriptException.class);
      if (lost < 0 || eval) {
        return;
      }
      from = lost;
      eval = true;
    }
  }

  /** The index of the first step from {@code from} whose reply is an error of that kind, or -1. */
  private int firstFailedWith(int from, Class<? extends RuntimeException> kind) {
    for (int i = from; i < steps.size(); i++) {
      if (steps.get(i).failedWith(kind)) {
        return i;
      }
    }
    return -1;
  }

  /** How a step puts its command on a pipeline; {@code eval} asks scripts to send their text. */
  @FunctionalInterface
  private interface Sender<R> {
    Response<R> send(AbstractPipeline pipeline, boolean eval);
  }

  /** One command of a batch and, once the batch has run, its reply. */
  final class Step<R> {
    private final String key;
    private final Sender<R> sender;
    private @Nullable Response<R> response;

    private Step(String key, Sender<R> sender) {
      this.key = key;
      this.sender = sender;
    }

    private void send(AbstractPipeline pipeline, boolean eval) {
      response = sender.send(pipeline, eval);
    }

    /** Whether the command's reply is an error of that kind. */
    private boolean failedWith(Class<? extends RuntimeException> kind) {
      Response<R> r = response;
      if (r == null) {
        return false;
      }
      try {
        r.get();
        return false;
      } catch (RuntimeException e) {
        return kind.isInstance(e);
      }
    }

    /**
     * The reply.
     *
     * @throws io.canvasstate.StoreException naming the operation and this step's key, if the
     *     command failed
     */
    R get() {
      Response<R> r = response;
      if (r == null) {
        throw new IllegalStateException("the batch has not run");
      }
      try {
        return r.get();
      } catch (IllegalStateException e) {
        // A cluster pipeline whose connection to one node broke during sync() logs it and
        // leaves that node's replies unset: this command's reply never came.
        throw backend.map(op, key, new JedisConnectionException(
            "no reply: the connection to the Redis node broke during the pipeline", e));
      } catch (RuntimeException e) {
        throw backend.map(op, key, e);
      }
    }
  }
}
