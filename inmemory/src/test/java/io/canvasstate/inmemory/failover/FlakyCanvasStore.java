package io.canvasstate.inmemory.failover;

import static java.util.Objects.requireNonNull;

import io.canvasstate.CanvasStore;
import io.canvasstate.StoreUnavailableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A forwarding canvas store for the failure modes the {@code Faults} switch does not have: it
 * logs every call in order ("put p/a"), can fail every call after a number of calls (an outage
 * in the middle of a write-back), can apply a call and then lose its reply (a timeout after
 * Redis did the work), and can run hooks before and after each call. Closing it leaves the delegate
 * open, as closing a client leaves the server running. Thread-safe.
 */
final class FlakyCanvasStore implements CanvasStore<byte[]> {
  private final CanvasStore<byte[]> delegate;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private volatile int callsBeforeOutage = -1;
  private volatile boolean loseNextReply;
  private volatile Consumer<String> beforeCall = op -> {};
  private volatile Consumer<String> afterCall = op -> {};

  FlakyCanvasStore(CanvasStore<byte[]> delegate) {
    this.delegate = requireNonNull(delegate);
  }

  /** The calls so far, as "method project/object". */
  List<String> log() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  void clearLog() {
    log.clear();
  }

  /** Lets {@code calls} more calls through, then fails every call until {@link #heal()}. */
  void failAfter(int calls) {
    callsBeforeOutage = calls;
  }

  /** Lets every call through again. */
  void heal() {
    callsBeforeOutage = -1;
  }

  /** Makes the next call run on the delegate and then throw StoreUnavailableException. */
  void loseNextReply() {
    loseNextReply = true;
  }

  /** Runs {@code hook} with each call's log entry before the call. */
  void beforeCall(Consumer<String> hook) {
    beforeCall = requireNonNull(hook);
  }

  /** Runs {@code hook} with each call's log entry after the call ran, before it returns. */
  void afterCall(Consumer<String> hook) {
    afterCall = requireNonNull(hook);
  }

  private interface Call<R> {
    R run();
  }

  private <R> R call(String method, String projectId, String objectId, Call<R> call) {
    String entry = method + " " + projectId + (objectId.isEmpty() ? "" : "/" + objectId);
    beforeCall.accept(entry);
    synchronized (this) {
      if (callsBeforeOutage == 0) {
        throw new StoreUnavailableException("flaky: " + entry + " refused");
      }
      if (callsBeforeOutage > 0) {
        callsBeforeOutage--;
      }
    }
    log.add(entry);
    R r = call.run();
    afterCall.accept(entry);
    if (loseNextReply) {
      loseNextReply = false;
      throw new StoreUnavailableException("flaky: reply to " + entry + " lost");
    }
    return r;
  }

  @Override
  public Optional<byte[]> get(String projectId, String objectId) {
    return call("get", projectId, objectId, () -> delegate.get(projectId, objectId));
  }

  @Override
  public void put(String projectId, String objectId, byte[] object) {
    call("put", projectId, objectId, () -> {
      delegate.put(projectId, objectId, object);
      return null;
    });
  }

  @Override
  public void putAll(String projectId, Map<String, ? extends byte[]> objects) {
    call("putAll", projectId, "", () -> {
      delegate.putAll(projectId, objects);
      return null;
    });
  }

  @Override
  public boolean remove(String projectId, String objectId) {
    return call("remove", projectId, objectId, () -> delegate.remove(projectId, objectId));
  }

  @Override
  public Map<String, byte[]> getAll(String projectId) {
    return call("getAll", projectId, "", () -> delegate.getAll(projectId));
  }

  @Override
  public Set<String> ids(String projectId) {
    return call("ids", projectId, "", () -> delegate.ids(projectId));
  }

  @Override
  public int count(String projectId) {
    return call("count", projectId, "", () -> delegate.count(projectId));
  }

  @Override
  public void clear(String projectId) {
    call("clear", projectId, "", () -> {
      delegate.clear(projectId);
      return null;
    });
  }

  @Override
  public Set<String> activeProjects() {
    return call("activeProjects", "*", "", delegate::activeProjects);
  }

  @Override
  public Optional<byte[]> putIfAbsent(String projectId, String objectId, byte[] object) {
    return call("putIfAbsent", projectId, objectId,
        () -> delegate.putIfAbsent(projectId, objectId, object));
  }

  @Override
  public Optional<byte[]> getAndPut(String projectId, String objectId, byte[] object) {
    return call("getAndPut", projectId, objectId,
        () -> delegate.getAndPut(projectId, objectId, object));
  }

  @Override
  public Optional<byte[]> getAndRemove(String projectId, String objectId) {
    return call("getAndRemove", projectId, objectId,
        () -> delegate.getAndRemove(projectId, objectId));
  }

  @Override
  public Optional<byte[]> replace(String projectId, String objectId, byte[] object) {
    return call("replace", projectId, objectId,
        () -> delegate.replace(projectId, objectId, object));
  }

  @Override
  public boolean replace(String projectId, String objectId, byte[] expected, byte[] replacement) {
    return call("replaceIf", projectId, objectId,
        () -> delegate.replace(projectId, objectId, expected, replacement));
  }

  @Override
  public boolean remove(String projectId, String objectId, byte[] expected) {
    return call("removeIf", projectId, objectId,
        () -> delegate.remove(projectId, objectId, expected));
  }

  /** Does not close the delegate: it stands for a Redis server the test owns. */
  @Override
  public void close() {}
}
