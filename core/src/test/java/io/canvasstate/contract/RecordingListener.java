package io.canvasstate.contract;

import io.canvasstate.failover.ConflictEvent;
import io.canvasstate.failover.DroppedEvent;
import io.canvasstate.failover.FailoverListener;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.TransitionEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A failover listener that keeps every event, for assertions. Thread-safe. */
public final class RecordingListener implements FailoverListener {
  public final List<TransitionEvent> transitions = new CopyOnWriteArrayList<>();
  public final List<ConflictEvent> conflicts = new CopyOnWriteArrayList<>();
  public final List<DroppedEvent> dropped = new CopyOnWriteArrayList<>();

  @Override
  public void onTransition(TransitionEvent event) {
    transitions.add(event);
  }

  @Override
  public void onConflict(ConflictEvent event) {
    conflicts.add(event);
  }

  @Override
  public void onDropped(DroppedEvent event) {
    dropped.add(event);
  }

  /** The states entered, in order. */
  public List<FailoverState> states() {
    return transitions.stream().map(TransitionEvent::to).toList();
  }
}
