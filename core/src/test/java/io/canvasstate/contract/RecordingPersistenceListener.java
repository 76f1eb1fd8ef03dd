package io.canvasstate.contract;

import io.canvasstate.persistence.LoadEvent;
import io.canvasstate.persistence.LossEvent;
import io.canvasstate.persistence.PersistenceListener;
import io.canvasstate.persistence.SaveEvent;
import io.canvasstate.persistence.SaveFailedEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A persistence listener that keeps every event, for assertions. Thread-safe. */
public final class RecordingPersistenceListener implements PersistenceListener {
  public final List<SaveEvent> saved = new CopyOnWriteArrayList<>();
  public final List<SaveFailedEvent> failed = new CopyOnWriteArrayList<>();
  public final List<LoadEvent> loaded = new CopyOnWriteArrayList<>();
  public final List<LossEvent> lost = new CopyOnWriteArrayList<>();

  @Override
  public void onLost(LossEvent event) {
    lost.add(event);
  }

  @Override
  public void onSaved(SaveEvent event) {
    saved.add(event);
  }

  @Override
  public void onSaveFailed(SaveFailedEvent event) {
    failed.add(event);
  }

  @Override
  public void onLoaded(LoadEvent event) {
    loaded.add(event);
  }
}
