package org.deqbench.track;

import java.util.List;

/**
 * What {@code deqbench mlflow sync} delivered. Counts are of items sent in this sync; items MLflow
 * already had are counted in {@code alreadyPresent} (metric points found by reconciliation) or not
 * at all (records acknowledged before).
 *
 * @param attemptsSynced  node attempts and pipeline runs that needed delivery
 * @param runsCreated     MLflow runs created (parents and nodes)
 * @param rejected        records MLflow refused as invalid (they stay in the run log only)
 * @param skipped         attempts left alone because their node is still running
 * @param failures        why delivery stopped (empty when everything was delivered)
 */
public record SyncReport(int attemptsSynced, int runsCreated, int metrics, int params, int tags, int artifactFiles,
                         int statuses, int alreadyPresent, int rejected, List<String> skipped,
                         List<String> failures) {
    public SyncReport {
        skipped = List.copyOf(skipped);
        failures = List.copyOf(failures);
    }

    /** Whether everything in the run log is now in MLflow (or was rejected by it). */
    public boolean complete() {
        return failures.isEmpty() && skipped.isEmpty();
    }
}
