package io.canvasstate.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Commands sent together as one pipeline: one network round trip (on a cluster, to each node
 * at once).
 *
 * <p>Some replies say that Redis did <em>not</em> run a command, so sending it again is safe
 * whatever it does. The batch then sends again, from the first command so answered, and the
 * commands before it keep their replies; the ones after it may have run, and must therefore be
 * safe to run twice, which the stores guarantee by putting at most one non-idempotent script
 * first and only idempotent commands (marks, slides, reads) after it. What is sent again:
 *
 * <ul>
 *   <li>{@code NOSCRIPT} (the server lost the scripts: a restart, a failover, {@code SCRIPT
 *       FLUSH}): sent again as {@code EVAL}, which also loads them.
 *   <li>{@code MOVED} (a cluster slot now lives on another node): the slot map is reloaded and
 *       the command goes to the new owner.
 *   <li>{@code ASK} (the slot is being migrated and the key is already on the importing node):
 *       the command alone goes to that node, after {@code ASKING}, in one round trip; the slot
 *       map is not changed.
 *   <li>Transient refusals: {@code TRYAGAIN} (a multi-key command while its keys are split
 *       between the two nodes of a migration), {@code CLUSTERDOWN} (a promotion in progress),
 *       {@code LOADING}, {@code BUSY} (another client's script), {@code READONLY} and
 *       {@code MASTERDOWN} (a write reached a demoted master): sent again after a backoff of
 *       5 ms doubling up to 200 ms.
 *   <li>No free pooled connection within the timeout: nothing was sent, so the batch waits for
 *       the pool again, unless a call has meanwhile failed to reach Redis (then this is part of
 *       that outage and is reported as unavailable).
 * </ul>
 *
 * <p>All of it within {@link io.canvasstate.StoreConfig#maxRetryDuration()} from the start of
 * the batch. A refusal that lasts longer is reported as {@link
 * io.canvasstate.StoreUnavailableException} (Redis cannot serve the call), a pool that stays
 * busy that long as a {@link io.canvasstate.StoreException}: neither failing to reach a node
 * nor an ambiguous outcome. A connection that fails or times out is never retried here: the
 * command may have run.
 *
 * <p>Used by one thread for one operation; not thread-safe.
 */
final class Batch {
  private static final long FIRST_BACKOFF_NANOS = 5_000_000L;
  private static final long MAX_BACKOFF_NANOS = 200_000_000L;

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
   * Sends the commands and reads every reply, sending again what Redis did not run (see the
   * class comment). A command's own error reply is thrown by its {@link Step#get()}, so that
   * callers see the error of the command they asked about.
   *
   * @throws io.canvasstate.StoreUnavailableException if Redis cannot be reached or times out
   * @throws io.canvasstate.StoreException if it fails otherwise
   * @throws IllegalStateException if the stores were closed
   */
  void run() {
    long start = System.nanoTime();
    long deadline = start + backend.config().maxRetryDuration().toNanos();
    long unreachableAtStart = backend.unreachableCount();
    int from = 0;
    boolean eval = false;
    int waits = 0;
    while (from < steps.size()) {
      int sent = sendFrom(from, eval);
      int retry = firstNotRun(from, sent);
      if (retry < 0) {
        if (sent == steps.size()) {
          return;
        }
        // The pool had no free connection for steps.get(sent): nothing of it was sent.
        if (backend.unreachableCount() != unreachableAtStart) {
          throw backend.map(op, steps.get(sent).key, poolExhausted(sent));
        }
        if (System.nanoTime() - deadline >= 0) {
          throw backend.poolBusy(op, steps.get(sent).key, poolExhausted(sent));
        }
        from = sent;
        continue;
      }
      Step<?> step = steps.get(retry);
      RuntimeException error = step.error();
      from = retry;
      if (error instanceof JedisNoScriptException) {
        if (eval) {
          return;
        }
        eval = true;
      } else if (error instanceof JedisAskDataException ask) {
        if (System.nanoTime() - deadline >= 0) {
          return;
        }
        step.sendAsking(ask.getTargetNode());
        RuntimeException asked = step.error();
        if (asked == null || RedisBackend.refusal(asked) == null) {
          from = retry + 1;
          continue;
        }
        if (!backOff(waits++, deadline)) {
          return;
        }
      } else {
        if (error instanceof JedisMovedDataException) {
          backend.refreshTopologyNow();
          if (waits == 0) {
            waits++;
            continue;
          }
        } else if (RedisBackend.needsTopology(error)) {
          backend.refreshTopology();
        }
        if (!backOff(waits++, deadline)) {
          return;
        }
      }
    }
  }

  /**
   * Sends the steps from {@code from} in one pipeline and reads their replies.
   *
   * @return the index of the first step not sent because the pool had no free connection for
   *     it, or the number of steps if all were sent
   */
  private int sendFrom(int from, boolean eval) {
    int sent = from;
    for (int i = from; i < steps.size(); i++) {
      steps.get(i).unsent();
    }
    try (AbstractPipeline pipeline = backend.pipelined()) {
      try {
        for (; sent < steps.size(); sent++) {
          steps.get(sent).send(pipeline, eval);
        }
      } catch (RuntimeException e) {
        if (!RedisBackend.isPoolExhausted(e)) {
          throw e;
        }
        // The steps before it were sent: closing the pipeline reads their replies.
      }
    } catch (RuntimeException e) {
      if (RedisBackend.isPoolExhausted(e) && sent == from) {
        return from;
      }
      throw backend.map(op, steps.get(from).key, e);
    }
    return sent;
  }

  private RuntimeException poolExhausted(int step) {
    return new JedisConnectionException("no free pooled connection for " + op + " on \""
        + steps.get(step).key + "\" within the timeout");
  }

  /** Sleeps before the next try; false (without sleeping) if that would pass the deadline. */
  private static boolean backOff(int waits, long deadline) {
    long pause = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(waits, 10));
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    try {
      Thread.sleep(Math.max(1, Math.min(pause, left) / 1_000_000L));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }

  /**
   * The index of the first step in {@code [from, to)} whose reply says Redis did not run it
   * (see the class comment), or -1.
   */
  private int firstNotRun(int from, int to) {
    for (int i = from; i < to; i++) {
      RuntimeException e = steps.get(i).error();
      if (e != null && (e instanceof JedisNoScriptException || RedisBackend.refusal(e) != null)) {
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

    private void unsent() {
      response = null;
    }

    private void send(AbstractPipeline pipeline, boolean eval) {
      response = sender.send(pipeline, eval);
    }

    /**
     * Sends this command alone to {@code node} after {@code ASKING}, as Redis asks during a slot
     * migration: scripts as {@code EVAL}, since the importing node may not have them loaded. If
     * that node's pool has no free connection, nothing is sent and the {@code ASK} reply stays,
     * so that the batch backs off and tries again.
     */
    private void sendAsking(HostAndPort node) {
      Connection connection;
      try {
        connection = backend.connectionTo(node);
      } catch (RuntimeException e) {
        if (RedisBackend.isPoolExhausted(e)) {
          return;
        }
        throw backend.map(op, key, e);
      }
      try (connection; Pipeline pipeline = new Pipeline(connection)) {
        pipeline.sendCommand(Protocol.Command.ASKING, new String[0]);
        response = sender.send(pipeline, true);
        pipeline.sync();
      } catch (RuntimeException e) {
        throw backend.map(op, key, e);
      }
    }

    /** The error the command's reply is, or null if it succeeded or was not sent. */
    private @Nullable RuntimeException error() {
      Response<R> r = response;
      if (r == null) {
        return null;
      }
      try {
        r.get();
        return null;
      } catch (RuntimeException e) {
        return e;
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
