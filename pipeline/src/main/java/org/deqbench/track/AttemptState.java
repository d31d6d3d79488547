package org.deqbench.track;

import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivery state of one attempt (a node execution or a pipeline run): its MLflow run, which of its
 * records MLflow has (or refused), and what must be checked before sending more.
 */
final class AttemptState {
    final RunRecord first;
    final AckLog acks;
    String runId;
    String experimentId;
    String parentRunId;
    String artifactUri;
    /** A run id read from the ack log is checked against the server once before use. */
    boolean verifyRunId;
    /**
     * The server may hold records this state does not count as acknowledged (a request timed out
     * or failed after the server may have applied it, or the run existed already): metrics are
     * compared with the server's history before they are sent again.
     */
    boolean uncertain;
    /** A terminal status was set for an attempt whose log has no finish record. */
    boolean closed;
    /** Acknowledged or rejected sequence numbers. */
    final BitSet done = new BitSet();
    /** Count of acknowledgements, to tell a failing delivery that made progress from a stuck one. */
    volatile long progress;
    // Filled by the thread that logs, read by the sender thread.
    private final Map<String, Long> paramFirstSeq = new ConcurrentHashMap<>();
    private final Map<String, String> paramFirstValue = new ConcurrentHashMap<>();

    AttemptState(RunRecord first, AckLog acks) {
        if (!(first instanceof RunRecord.Start) && !(first instanceof RunRecord.PipelineStart)) {
            throw new IllegalArgumentException("an attempt starts with a start record, found " + first);
        }
        this.first = first;
        this.acks = acks;
    }

    String attempt() {
        return first.attempt();
    }

    boolean isPipeline() {
        return first instanceof RunRecord.PipelineStart;
    }

    String pipelineRunId() {
        return first instanceof RunRecord.Start s ? s.pipelineRunId() : first.attempt();
    }

    String mlflowExperiment() {
        return first instanceof RunRecord.Start s ? s.mlflowExperiment() : ((RunRecord.PipelineStart) first).mlflowExperiment();
    }

    /** Label for messages: the node id, or "pipeline <id>". */
    String label() {
        return first instanceof RunRecord.Start s ? s.node() : "pipeline " + first.attempt();
    }

    /** Sees a record of this attempt in sequence order (before it is delivered). */
    void observe(RunRecord r) {
        if (r instanceof RunRecord.Params p) {
            for (Map.Entry<String, String> e : p.params().entrySet()) {
                if (paramFirstSeq.putIfAbsent(e.getKey(), p.seq()) == null) {
                    paramFirstValue.put(e.getKey(), e.getValue());
                }
            }
        }
    }

    /** Whether this param entry is the one MLflow keeps (the first logged for its key). */
    boolean isFirstParam(String key, long seq) {
        Long s = paramFirstSeq.get(key);
        return s == null || s == seq;
    }

    String firstParamValue(String key) {
        return paramFirstValue.get(key);
    }

    boolean isDone(long seq) {
        return done.get(Math.toIntExact(seq));
    }

    void markDone(List<Long> seqs) {
        for (long s : seqs) {
            done.set(Math.toIntExact(s));
        }
        progress++;
    }

    /** Applies the ack-log events of this attempt. */
    void apply(List<AckLog.Event> events) {
        for (AckLog.Event e : events) {
            switch (e.event()) {
                case AckLog.RUN -> {
                    runId = e.runId();
                    experimentId = e.experimentId();
                    parentRunId = e.parentRunId();
                    verifyRunId = true;
                }
                case AckLog.ACKED, AckLog.REJECTED -> {
                    if (e.seqs() != null) {
                        for (long[] r : e.seqs()) {
                            done.set(Math.toIntExact(r[0]), Math.toIntExact(r[1]) + 1);
                        }
                    }
                }
                case AckLog.CLOSED -> closed = true;
                default -> {
                    // an event of a newer version
                }
            }
        }
    }
}
