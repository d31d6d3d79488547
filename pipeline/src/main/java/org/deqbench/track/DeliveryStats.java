package org.deqbench.track;

/** Counts of what a delivery sent to MLflow (informational: a resend after a failure counts again). */
final class DeliveryStats {
    int runsCreated;
    int metrics;
    int params;
    int tags;
    int artifactFiles;
    int statuses;
    /** Metric points found already on the server when reconciling, hence not sent again. */
    int alreadyPresent;
    /** Records MLflow refused as invalid (kept in the run log only). */
    int rejected;
}
