package io.canvasstate.persistence;

import io.canvasstate.CodecException;
import io.canvasstate.StoreException;
import io.canvasstate.StoreUnavailableException;
import io.canvasstate.internal.Values;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
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
  /** Failures in a row per project, for its backoff; an entry exists while it is failing. */
  private final Map<String, Integer> backoff = new ConcurrentHashMap<>();
  private boolean relistDone;
  private long nextRelist;

  ProjectSaver(Persistence<T> persistence, String owner, BooleanSupplier aborted) {
    this.persistence = persistence;
    this.store = persistence.requireAttached();
    this.owner = owner;
    this.aborted = aborted;
  }

  /**
   * One round over the projects due for saving, oldest change first. Taking them makes them not
   * due for other instances' workers for a lease, so instances save different projects.
   */
  AutoSaveWorker.Round round() {
    PersistenceConfig config = persistence.config();
    relistWhenDue(config);
    List<ChangeLog.DirtyProject> dirty =
        store.log().takeDue(config.maxProjectsPerRound(), config.saveLease());
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
      if (aborted.getAsBoolean()) {
        break;
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
      failed(project.projectId(), SaveFailedEvent.Reason.STORE_FAILED, 0, e.toString(),
          backOff(project.projectId()));
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
          backoff.remove(projectId);
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
      if (saved.remaining == 0) { // completing took it off the list
        backoff.remove(projectId);
        return outcome;
      }
      if (saved.undecodable > 0 && saved.remaining <= saved.undecodable) {
        // what is left cannot be saved until it is overwritten: back off like a failure
        store.log().defer(projectId, backOff(projectId));
        return outcome;
      }
    }
    if (outcome == Outcome.SAVED && !aborted.getAsBoolean()) {
      // changes are left (more pages, or new ones): due again at once, not after the take's lease
      backoff.remove(projectId);
      store.log().defer(projectId, Duration.ZERO);
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
    List<ChangeLog.Change> lost = new ArrayList<>();
    for (ChangeLog.Change c : claim.changes()) {
      byte[] value = c.value();
      if (c.lost()) {
        lost.add(c);
        continue;
      }
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
      // nothing else to save: the project backs off now; else after the save of the rest
      boolean stuck = upserts.isEmpty() && deletes.isEmpty() && lost.isEmpty();
      failed(projectId, SaveFailedEvent.Reason.UNDECODABLE_VALUE, undecodable, firstError,
          stuck ? backOff(projectId) : Duration.ZERO);
    }
    if (!lost.isEmpty()) {
      Page restored = restoreLost(claim, lost);
      if (restored != null) {
        return restored;
      }
      included.addAll(lost); // cleared with the saved ones: nothing of theirs is left to save
    }
    if (upserts.isEmpty() && deletes.isEmpty()) {
      if (lost.isEmpty()) {
        release(claim);
        return new Page(Outcome.FAILED, claim.pending(), undecodable);
      }
      int remaining = store.log().complete(claim, included);
      return new Page(Outcome.SAVED, remaining, undecodable);
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
      failed(projectId, SaveFailedEvent.Reason.REPOSITORY_FAILED, changes.size(), e.toString(),
          backOff(projectId));
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
          "superseded by a save with a larger fence than " + claim.fence(), Duration.ZERO);
      release(claim);
      return new Page(Outcome.FAILED, claim.pending(), undecodable);
    }
    int remaining = store.log().complete(claim, included);
    failing = false;
    persistence.saves.increment();
    persistence.savedObjects.add(changes.size());
    Instant now = persistence.clock().instant();
    SaveEvent event = new SaveEvent(projectId, claim.fence(), upserts.size(), deletes.size(),
        Persistence.between(started, now), now);
    persistence.dispatch(l -> l.onSaved(event));
    return new Page(Outcome.SAVED, remaining, undecodable);
  }

  /**
   * Handles upserts whose values the store lost: writes the repository's copy of the project back
   * where the store lacks it (while the claim holds), then reports the loss. They are never saved
   * as deletes.
   *
   * @return null to go on with the save (the lost changes are then cleared with the saved ones),
   *     or the page's outcome if the repository or the claim failed (the lost changes stay
   *     recorded, so the next claim finds them again)
   */
  private @Nullable Page restoreLost(ChangeLog.Claim claim, List<ChangeLog.Change> lost) {
    String projectId = claim.projectId();
    Map<String, byte[]> copy = new LinkedHashMap<>();
    try {
      Map<String, T> stored = persistence.repository().load(projectId);
      for (Map.Entry<String, T> e : stored.entrySet()) {
        copy.put(e.getKey(), Values.encode(store.codec(), e.getKey(), e.getValue(),
            Integer.MAX_VALUE));
      }
    } catch (RuntimeException e) {
      if (aborted.getAsBoolean()) {
        return new Page(Outcome.ABORTED, claim.pending(), 0);
      }
      persistence.saveFailures.increment();
      failed(projectId, SaveFailedEvent.Reason.REPOSITORY_FAILED, lost.size(),
          "loading the repository's copy to restore what the store lost: " + e,
          backOff(projectId));
      release(claim);
      return new Page(Outcome.FAILED, claim.pending(), 0);
    }
    int chunk = persistence.config().maxChangesPerSave();
    List<Map.Entry<String, byte[]>> entries = new ArrayList<>(copy.entrySet());
    for (int from = 0; from < entries.size() || from == 0; from += chunk) {
      Map<String, byte[]> part = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> e : entries.subList(from,
          Math.min(entries.size(), from + chunk))) {
        part.put(e.getKey(), e.getValue());
      }
      if (!store.log().restore(claim, part)) {
        return new Page(Outcome.HELD, claim.pending(), 0); // another owner took it: it restores
      }
    }
    List<String> ids = lost.stream().map(ChangeLog.Change::objectId).toList();
    int restored = (int) ids.stream().filter(copy::containsKey).count();
    persistence.lostChanges.add(ids.size());
    LOG.warn("The store lost {} unsaved writes of project {} (their values are gone from it: an"
        + " eviction under an allkeys-* maxmemory-policy, a DEL or FLUSHDB by another client, or a"
        + " failover to a replica that missed them); they were not saved as deletes, and {} of"
        + " those objects were written back from the repository", ids.size(), projectId, restored);
    LossEvent event = new LossEvent(projectId, ids, restored, persistence.clock().instant());
    persistence.dispatch(l -> l.onLost(event));
    return null;
  }

  private void failed(String projectId, SaveFailedEvent.Reason reason, int changes, String error,
      Duration retryIn) {
    SaveFailedEvent event = new SaveFailedEvent(projectId, reason, changes, error,
        persistence.clock().instant(), retryIn);
    persistence.dispatch(l -> l.onSaveFailed(event));
  }

  /**
   * Backs a project off after a failure: due again after the save interval, doubled for each
   * failure in a row, at most {@link PersistenceConfig#maxRetryDelay()}, so that it never holds
   * up the others.
   *
   * @return the delay
   */
  private Duration backOff(String projectId) {
    PersistenceConfig config = persistence.config();
    int failures = backoff.size() < MAX_REMEMBERED || backoff.containsKey(projectId)
        ? backoff.merge(projectId, 1, Integer::sum) : 30;
    Duration delay = config.maxRetryDelay();
    if (failures < 30) {
      Duration d = config.saveInterval().multipliedBy(1L << (failures - 1));
      if (d.compareTo(delay) < 0) {
        delay = d;
      }
    }
    try {
      store.log().defer(projectId, delay);
    } catch (StoreUnavailableException e) {
      throw e;
    } catch (StoreException e) {
      LOG.debug("Could not back project {} off: {}", projectId, e.getMessage());
    }
    return delay;
  }

  /** How many projects this saver is holding back after failures. */
  int retryWaiting() {
    return backoff.size();
  }

  /** Lists again the dirty projects the list lacks, at start and every reconcile interval. */
  private void relistWhenDue(PersistenceConfig config) {
    long now = System.nanoTime();
    if (relistDone && now - nextRelist < 0) {
      return;
    }
    relistDone = true;
    nextRelist = now + config.reconcileInterval().toNanos();
    try {
      int listed = store.log().relist();
      if (listed > 0) {
        LOG.warn("Listed {} projects with unsaved changes that the list of dirty projects lacked"
            + " (a write whose listing failed, on a Cluster); they are saved now", listed);
      }
    } catch (StoreUnavailableException e) {
      relistDone = false;
      throw e;
    } catch (StoreException e) {
      LOG.warn("Could not look for dirty projects missing from the list; trying again in {}: {}",
          config.reconcileInterval(), e.getMessage());
    }
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
