package io.canvasstate.inmemory.failover;

import io.canvasstate.failover.ConflictEvent;
import io.canvasstate.failover.DroppedEvent;
import io.canvasstate.failover.FailoverListener;
import io.canvasstate.failover.FailoverState;
import io.canvasstate.failover.TransitionEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps every event, for assertions. */
final class RecordingListener implements FailoverListener {
  final List<TransitionEvent> transitions = new CopyOnWriteArrayList<>();
  final List<ConflictEvent> conflicts = new CopyOnWriteArrayList<>();
  final List<DroppedEvent> dropped = new CopyOnWriteArrayList<>();

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

  List<FailoverState> states() {
    return transitions.stream().map(TransitionEvent::to).toList();
  }
}
