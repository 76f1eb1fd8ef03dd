package io.canvasstate.persistence;

import io.canvasstate.CodecException;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.internal.Values;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one {@link AutoSaveWorker} does in a round: for each dirty project, claim it, hand its
 * changes to the repository, and record what was saved. Used by one thread at a time.
 *
 * @param <T> the type of the canvas objects
 */
final class ProjectSaver<T> {
  private static final Logger LOG = LoggerFactory.getLogger(Persistence.class);
  private static final int MAX_REMEMBERED = 10_000;

  /** What saving one project came to. */
  enum Outcome {
    /** Something was saved. */
    SAVED,
    /** Nothing was left to save. */
    CLEAN,
    /** Another instance holds it. */
    HELD,
    /** Saving failed; the changes stay unsaved. */
    FAILED,
    /** The worker was stopped at once; nothing was recorded. */
    ABORTED
  }

  private final Persistence<T> persistence;
  private final Persistence.Attached<T> store;
  private final String owner;
  private final BooleanSupplier aborted;
  /** Whether the last save failed, so a streak of failures is logged once. */
  private volatile boolean failing;
  private final Set<String> undecodableLogged = ConcurrentHashMap.newKeySet();
  private final Set<String> storeErrorsLogged = ConcurrentHashMap.newKeySet();

  ProjectSaver(Persistence<T> persistence, String owner, BooleanSupplier aborted) {
    this.persistence = persistence;
    this.store = persistence.requireAttached();
    this.owner = owner;
    this.aborted = aborted;
  }

  /** One round over the dirty projects, in random order so that instances spread out. */
  AutoSaveWorker.Round round() {
    PersistenceConfig config = persistence.config();
    List<ChangeLog.DirtyProject> dirty =
        new ArrayList<>(store.log().dirtyProjects(config.maxProjectsPerRound()));
    Collections.shuffle(dirty);
    int saved = 0;
    int objects = 0;
    int held = 0;
    int failed = 0;
    for (ChangeLog.DirtyProject project : dirty) {
      if (aborted.getAsBoolean()) {
        break;
      }
      long before = persistence.savedObjects.sum();
      switch (saveOrReport(project)) {
        case SAVED -> saved++;
        case HELD -> held++;
        case FAILED -> failed++;
        default -> { }
      }
      objects += (int) (persistence.savedObjects.sum() - before);
    }
    return new AutoSaveWorker.Round(dirty.size(), saved, objects, held, failed);
  }

  /**
   * Saves one project, reporting a store error that concerns only it (a key of the wrong type,
   * say) as a failure of that project, so that the others are still saved; an unreachable store
   * ends the round.
   */
  private Outcome saveOrReport(ChangeLog.DirtyProject project) {
    try {
      return save(project);
    } catch (StoreUnavailableException e) {
      throw e;
    } catch (StoreException e) {
      persistence.saveFailures.increment();
      if (storeErrorsLogged.size() < MAX_REMEMBERED && storeErrorsLogged.add(project.projectId())) {
        LOG.warn("Cannot save project {}: the store failed on its keys; its changes stay unsaved"
            + " (logged once per project): {}", project.projectId(), e.getMessage());
      }
      failed(project.projectId(), SaveFailedEvent.Reason.STORE_FAILED, 0, e.toString());
      return Outcome.FAILED;
    }
  }

  /** Saves one project's changes, a page of {@code maxChangesPerSave} at a time. */
  Outcome save(ChangeLog.DirtyProject project) {
    PersistenceConfig config = persistence.config();
    String projectId = project.projectId();
    Outcome outcome = Outcome.CLEAN;
    // Enough pages for what was pending at the first claim: changes that keep arriving on a busy
    // project wait for the next round instead of holding this one.
    long pages = 1;
    for (long page = 0; page < pages && !aborted.getAsBoolean(); page++) {
      ChangeLog.Claim claim =
          store.log().claim(projectId, owner, config.saveLease(), config.maxChangesPerSave());
      switch (claim.status()) {
        case HELD -> {
          return outcome == Outcome.SAVED ? outcome : Outcome.HELD;
        }
        case CLEAN -> {
          store.log().forget(project);
          return outcome;
        }
        default -> { }
      }
      if (page == 0) {
        pages = 1 + (claim.pending() - 1L) / config.maxChangesPerSave();
      }
      Page saved = saveClaimed(claim);
      if (saved.outcome != Outcome.SAVED) {
        return saved.outcome == Outcome.FAILED && outcome == Outcome.SAVED ? outcome : saved.outcome;
      }
      outcome = Outcome.SAVED;
      if (saved.remaining == 0) {
        store.log().forget(project);
        return outcome;
      }
      if (saved.undecodable > 0 && saved.remaining <= saved.undecodable) {
        return outcome; // what is left cannot be saved until it is overwritten
      }
    }
    return outcome;
  }

  private record Page(Outcome outcome, int remaining, int undecodable) {}

  private Page saveClaimed(ChangeLog.Claim claim) {
    String projectId = claim.projectId();
    Map<String, T> upserts = new LinkedHashMap<>();
    Set<String> deletes = new HashSet<>();
    List<ChangeLog.Change> included = new ArrayList<>(claim.changes().size());
    int undecodable = 0;
    String firstError = "";
    for (ChangeLog.Change c : claim.changes()) {
      byte[] value = c.value();
      if (value == null) {
        deletes.add(c.objectId());
        included.add(c);
        continue;
      }
      try {
        upserts.put(c.objectId(), Values.decode(store.codec(), "project " + projectId,
            c.objectId(), value));
        included.add(c);
      } catch (CodecException e) {
        if (undecodable++ == 0) {
          firstError = e.getMessage();
        }
        if (undecodableLogged.size() < MAX_REMEMBERED
            && undecodableLogged.add(projectId + " " + c.objectId())) {
          LOG.warn("Cannot save object {} of project {}: its stored value cannot be decoded; it"
              + " stays unsaved until it is overwritten or removed (logged once): {}",
              c.objectId(), projectId, e.getMessage());
        }
      }
    }
    if (undecodable > 0) {
      persistence.saveFailures.increment();
      failed(projectId, SaveFailedEvent.Reason.UNDECODABLE_VALUE, undecodable, firstError);
    }
    if (included.isEmpty()) {
      release(claim);
      return new Page(Outcome.FAILED, claim.pending(), undecodable);
    }
    ProjectChanges<T> changes =
        new ProjectChanges<>(projectId, claim.fence(), upserts, deletes);
    Instant started = persistence.clock().instant();
    boolean applied;
    try {
      applied = persistence.repository().save(changes);
    } catch (RuntimeException e) {
      if (aborted.getAsBoolean()) {
        return new Page(Outcome.ABORTED, claim.pending(), undecodable);
      }
      persistence.saveFailures.increment();
      if (!failing) {
        failing = true;
        LOG.warn("Saving {} changes of project {} failed; they stay unsaved and are tried again"
            + " (logged once until a save succeeds): {}", changes.size(), projectId, e.toString());
      } else {
        LOG.debug("Saving project {} failed again: {}", projectId, e.toString());
      }
      failed(projectId, SaveFailedEvent.Reason.REPOSITORY_FAILED, changes.size(), e.toString());
      release(claim);
      return new Page(Outcome.FAILED, claim.pending(), undecodable);
    }
    if (aborted.getAsBoolean()) {
      return new Page(Outcome.ABORTED, claim.pending(), undecodable);
    }
    if (!applied) {
      persistence.saveFailures.increment();
      LOG.info("The repository had a newer save of project {} than fence {} (this claim had"
          + " expired); the newer claim saves its changes", projectId, claim.fence());
      failed(projectId, SaveFailedEvent.Reason.SUPERSEDED, changes.size(),
          "superseded by a save with a larger fence than " + claim.fence());
      release(claim);
      return new Page(Outcome.FAILED, claim.pending(), undecodable);
    }
    int remaining = store.log().complete(claim, included);
    failing = false;
    persistence.saves.increment();
    persistence.savedObjects.add(included.size());
    Instant now = persistence.clock().instant();
    SaveEvent event = new SaveEvent(projectId, claim.fence(), upserts.size(), deletes.size(),
        Persistence.between(started, now), now);
    persistence.dispatch(l -> l.onSaved(event));
    return new Page(Outcome.SAVED, remaining, undecodable);
  }

  private void failed(String projectId, SaveFailedEvent.Reason reason, int changes, String error) {
    SaveFailedEvent event = new SaveFailedEvent(projectId, reason, changes, error,
        persistence.clock().instant());
    persistence.dispatch(l -> l.onSaveFailed(event));
  }

  /** Ends a claim after a failed save, so the next round (of any instance) can try again. */
  private void release(ChangeLog.Claim claim) {
    try {
      store.log().release(claim);
    } catch (StoreException e) {
      LOG.debug("Could not release the claim on {}; it ends with its lease: {}",
          claim.projectId(), e.getMessage());
    }
  }
}
