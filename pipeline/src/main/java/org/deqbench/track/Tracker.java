package org.deqbench.track;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a node logs what it measured: params, metrics (with step), tags and artifacts. Every stage
 * logs through this one interface; the local run log always records it, MLflow as well when
 * {@code MLFLOW_TRACKING_URI} is set ({@link Trackers#forNode}). Implementations never throw on a
 * tracking-server outage: the run log is the durable record and {@code deqbench mlflow sync}
 * delivers later whatever the server missed.
 */
public interface Tracker extends AutoCloseable {
    /** Final state of a run (MLflow's terminal run statuses). */
    enum Status { FINISHED, FAILED, KILLED }

    /**
     * Records params. A key logged twice keeps its first value in MLflow (MLflow params are
     * immutable); the run log keeps both.
     */
    void logParams(Map<String, String> params);

    default void logParam(String key, String value) {
        logParams(Map.of(key, value));
    }

    /** A metric value at a step (e.g. training step, ε index); timestamp is now. */
    void logMetric(String key, double value, long step);

    /**
     * A metric value at a step with its own timestamp (ms since the epoch), e.g. for values
     * measured earlier; this default ignores the timestamp.
     */
    default void logMetric(String key, double value, long step, long timestampMillis) {
        logMetric(key, value, step);
    }

    default void logMetric(String key, double value) {
        logMetric(key, value, 0);
    }

    /** Several metrics at one step (e.g. loss and PSNR of one training step), written together. */
    default void logMetrics(Map<String, Double> values, long step) {
        values.forEach((k, v) -> logMetric(k, v, step));
    }

    void setTag(String key, String value);

    /** Records the datasets the node consumed as MLflow run inputs. This default records nothing. */
    default void logInputs(java.util.List<DatasetInput> datasets) {
    }

    /**
     * Logs to the pipeline's parent run (the MLflow run of the whole experiment run) rather than
     * the node's own: params (keys over 250 characters and non-scalar values are left out, values
     * cut to 6000 characters, sent 100 per request), metrics at step 0, and tags (e.g.
     * {@code mlflow.note.content}). A node without a parent run records it in the run log only.
     * This default records nothing.
     */
    default void logToParent(Map<String, String> params, Map<String, Double> metrics, Map<String, String> tags) {
    }

    /**
     * Uploads a file, or a folder recursively, under {@code artifactPath} ("" for the root): a file
     * lands at {@code artifactPath/<file name>}, a folder's contents at {@code artifactPath/...}.
     * The file must stay in place until the node ends (a node's temporary output folder may be
     * renamed into place meanwhile).
     */
    void logArtifact(Path fileOrFolder, String artifactPath);

    /**
     * As {@link #logArtifact(Path, String)} for the files of a folder that {@code include} accepts
     * (e.g. {@link ArraySizeLimit}); the files left out are counted in the tag
     * {@code deqbench.artifacts_left_out}. This default uploads everything.
     */
    default void logArtifact(Path fileOrFolder, String artifactPath, java.util.function.Predicate<Path> include) {
        logArtifact(fileOrFolder, artifactPath);
    }

    /** Ends the run; {@code error} is recorded for FAILED runs, null otherwise. Idempotent. */
    void finish(Status status, String error);

    @Override
    default void close() {
        finish(Status.FINISHED, null);
    }

    /** A tracker that records nothing (tests of pure computation). */
    static Tracker none() {
        return new Tracker() {
            @Override public void logParams(Map<String, String> params) { }
            @Override public void logMetric(String key, double value, long step) { }
            @Override public void setTag(String key, String value) { }
            @Override public void logArtifact(Path fileOrFolder, String artifactPath) { }
            @Override public void finish(Status status, String error) { }
        };
    }
}
