package org.deqbench.track;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a node logs what it measured: params, metrics (with step), tags and artifacts. Every stage
 * logs through this one interface; the local run log always records it, MLflow as well when
 * {@code MLFLOW_TRACKING_URI} is set. Implementations never throw on a tracking-server outage.
 */
public interface Tracker extends AutoCloseable {
    /** Final state of a run. */
    enum Status { FINISHED, FAILED, KILLED }

    void logParams(Map<String, String> params);

    /** A metric value at a step (e.g. training step, ε index); timestamp is now. */
    void logMetric(String key, double value, long step);

    default void logMetric(String key, double value) {
        logMetric(key, value, 0);
    }

    void setTag(String key, String value);

    /** Uploads a file, or a folder recursively, under {@code artifactPath} ("" for the root). */
    void logArtifact(Path fileOrFolder, String artifactPath);

    /** Ends the run; {@code error} is recorded for FAILED runs, null otherwise. */
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
