package org.deqbench.track;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * One execution of a plan node as the run log recorded it: what the stage logged, in order, and
 * how it ended. Views follow MLflow's semantics so the report shows what MLflow would: a param
 * keeps its first value, a tag its last, a metric is the list of its points.
 */
public final class NodeAttempt {
    private final List<RunRecord> records;

    NodeAttempt(List<RunRecord> records) {
        this.records = List.copyOf(records);
    }

    public RunRecord.Start start() {
        return (RunRecord.Start) records.get(0);
    }

    public String attempt() {
        return start().attempt();
    }

    /** Node id, e.g. {@code train/mri/mol-lr}. */
    public String node() {
        return start().node();
    }

    /** All records of the attempt in sequence order. */
    public List<RunRecord> records() {
        return records;
    }

    /** Params, the first value of each key. */
    public Map<String, String> params() {
        Map<String, String> m = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if (r instanceof RunRecord.Params p) {
                p.params().forEach(m::putIfAbsent);
            }
        }
        return m;
    }

    /** Every metric point in the order logged. */
    public List<RunRecord.Metric> metrics() {
        List<RunRecord.Metric> m = new ArrayList<>();
        for (RunRecord r : records) {
            if (r instanceof RunRecord.Metric p) {
                m.add(p);
            }
        }
        return m;
    }

    /** Metric names in order of first appearance. */
    public Set<String> metricKeys() {
        Set<String> s = new LinkedHashSet<>();
        metrics().forEach(m -> s.add(m.key()));
        return s;
    }

    /** The curve of one metric: its points sorted by step, then time of logging. */
    public List<RunRecord.Metric> metric(String key) {
        return metrics().stream().filter(m -> m.key().equals(key))
                .sorted(Comparator.comparingLong(RunRecord.Metric::step).thenComparingLong(RunRecord.Metric::ts)
                        .thenComparingLong(RunRecord.Metric::seq))
                .toList();
    }

    /** The value of a metric at its highest step (MLflow's "latest" value), if it was logged. */
    public OptionalDouble last(String key) {
        List<RunRecord.Metric> c = metric(key);
        return c.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(c.get(c.size() - 1).value());
    }

    /** Tags, the last value of each key. */
    public Map<String, String> tags() {
        Map<String, String> m = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if (r instanceof RunRecord.Tag t) {
                m.put(t.key(), t.value());
            }
        }
        return m;
    }

    public List<RunRecord.Artifact> artifacts() {
        List<RunRecord.Artifact> a = new ArrayList<>();
        for (RunRecord r : records) {
            if (r instanceof RunRecord.Artifact x) {
                a.add(x);
            }
        }
        return a;
    }

    public Optional<RunRecord.Finish> finish() {
        for (RunRecord r : records) {
            if (r instanceof RunRecord.Finish f) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Final status; empty while running, or if the process died without a chance to record it. */
    public Optional<Tracker.Status> status() {
        return finish().map(RunRecord.Finish::status);
    }
}
