package org.deqbench.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deqbench.track.Tracker;

/**
 * The node's tracker as its stage sees it: everything passes through, and every NaN or ±∞ metric
 * is remembered, so that {@link NodeExecutor} refuses to complete the node
 * ({@link #requireAllFinite()}) instead of committing outputs measured as non-finite.
 */
final class FiniteMetrics implements Tracker {
    private final Tracker inner;
    private final String nodeId;
    private final List<String> bad = new ArrayList<>();

    FiniteMetrics(Tracker inner, String nodeId) {
        this.inner = inner;
        this.nodeId = nodeId;
    }

    private void check(String key, double value, long step) {
        if (!Double.isFinite(value)) {
            synchronized (bad) {
                bad.add(key + "=" + value + " at step " + step);
            }
        }
    }

    /** @throws FiniteValues.NonFiniteValueException when any metric logged so far was not finite */
    void requireAllFinite() {
        synchronized (bad) {
            if (!bad.isEmpty()) {
                throw new FiniteValues.NonFiniteValueException("node " + nodeId + " logged " + bad.size()
                        + " non-finite metric value(s), first " + bad.get(0) + "; the node does not complete");
            }
        }
    }

    @Override
    public void logParams(Map<String, String> params) {
        inner.logParams(params);
    }

    @Override
    public void logMetric(String key, double value, long step) {
        check(key, value, step);
        inner.logMetric(key, value, step);
    }

    @Override
    public void logMetric(String key, double value, long step, long timestampMillis) {
        check(key, value, step);
        inner.logMetric(key, value, step, timestampMillis);
    }

    @Override
    public void logMetrics(Map<String, Double> values, long step) {
        values.forEach((k, v) -> check(k, v, step));
        inner.logMetrics(values, step);
    }

    @Override
    public void setTag(String key, String value) {
        inner.setTag(key, value);
    }

    @Override
    public void logArtifact(Path fileOrFolder, String artifactPath) {
        inner.logArtifact(fileOrFolder, artifactPath);
    }

    @Override
    public void logInputs(java.util.List<org.deqbench.track.DatasetInput> datasets) {
        inner.logInputs(datasets);
    }

    @Override
    public void logToParent(Map<String, String> params, Map<String, Double> metrics, Map<String, String> tags) {
        inner.logToParent(params, metrics, tags);
    }

    @Override
    public void logArtifact(Path fileOrFolder, String artifactPath, java.util.function.Predicate<Path> include) {
        inner.logArtifact(fileOrFolder, artifactPath, include);
    }

    @Override
    public void finish(Status status, String error) {
        inner.finish(status, error);
    }
}
