package org.deqbench.track;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the run log of a run directory holds ({@link RunLogReader#read}).
 *
 * @param attempts  node attempts, oldest first (a node run twice has two)
 * @param pipelines pipeline runs started by the local runner, oldest first
 * @param warnings  lines that could not be read (e.g. the last line of a file cut by a crash)
 */
public record RunLog(List<NodeAttempt> attempts, List<PipelineAttempt> pipelines, List<String> warnings) {
    public RunLog {
        attempts = List.copyOf(attempts);
        pipelines = List.copyOf(pipelines);
        warnings = List.copyOf(warnings);
    }

    /** Node ids with at least one attempt, in order of first start. */
    public Set<String> nodes() {
        Set<String> s = new LinkedHashSet<>();
        attempts.forEach(a -> s.add(a.node()));
        return s;
    }

    /** Attempts of one node, oldest first. */
    public List<NodeAttempt> attempts(String nodeId) {
        return attempts.stream().filter(a -> a.node().equals(nodeId)).toList();
    }

    /** The most recently started attempt of a node. */
    public Optional<NodeAttempt> latest(String nodeId) {
        return attempts(nodeId).stream().max(Comparator.comparingLong(a -> a.start().ts()));
    }

    /** The most recently started attempt of a node that finished successfully. */
    public Optional<NodeAttempt> latestFinished(String nodeId) {
        return attempts(nodeId).stream()
                .filter(a -> a.status().orElse(null) == Tracker.Status.FINISHED)
                .max(Comparator.comparingLong(a -> a.start().ts()));
    }

    /** One pipeline run of the local runner: its start record and, if it ended, its finish record. */
    public record PipelineAttempt(List<RunRecord> records) {
        public PipelineAttempt {
            records = List.copyOf(records);
        }

        public RunRecord.PipelineStart start() {
            return (RunRecord.PipelineStart) records.get(0);
        }

        public String id() {
            return start().attempt();
        }

        public Optional<RunRecord.PipelineFinish> finish() {
            return records.stream().filter(r -> r instanceof RunRecord.PipelineFinish)
                    .map(r -> (RunRecord.PipelineFinish) r).findFirst();
        }
    }
}
