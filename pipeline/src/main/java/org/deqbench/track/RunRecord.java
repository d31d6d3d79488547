package org.deqbench.track;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of the local run log (JSON, snake_case keys, {@code "type"} first). Every record belongs
 * to an <em>attempt</em> — one execution of a node, or one pipeline run — and carries a sequence
 * number counting up from 0 within the attempt, so that what MLflow acknowledged can be recorded
 * as sets of sequence numbers ({@code runlog/acks/}) without ever rewriting the log.
 * {@code ts} is milliseconds since the epoch (for a metric, the metric's own timestamp, which is
 * what MLflow receives, also when delivered later by {@code deqbench mlflow sync}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RunRecord.Start.class, name = "start"),
        @JsonSubTypes.Type(value = RunRecord.Params.class, name = "params"),
        @JsonSubTypes.Type(value = RunRecord.Metric.class, name = "metric"),
        @JsonSubTypes.Type(value = RunRecord.Tag.class, name = "tag"),
        @JsonSubTypes.Type(value = RunRecord.Artifact.class, name = "artifact"),
        @JsonSubTypes.Type(value = RunRecord.Finish.class, name = "finish"),
        @JsonSubTypes.Type(value = RunRecord.PipelineStart.class, name = "pipeline_start"),
        @JsonSubTypes.Type(value = RunRecord.PipelineFinish.class, name = "pipeline_finish"),
        @JsonSubTypes.Type(value = RunRecord.ParentLog.class, name = "parent_log"),
        @JsonSubTypes.Type(value = RunRecord.Inputs.class, name = "inputs")})
public sealed interface RunRecord {
    String attempt();

    long seq();

    long ts();

    /**
     * First record of a node attempt: what ran, where, from which code.
     *
     * @param nodeKey          {@code <pipeline run id>/<node id>/<attempt>}; the MLflow run carries it
     *                         as tag {@code deqbench.node_key}, which is how a run is found again
     * @param mlflowExperiment the MLflow experiment name the attempt belongs to
     * @param pipelineRunId    the pipeline run (the MLflow parent run) this attempt is part of
     * @param closesPipeline   true when no runner owns the pipeline run (Airflow) and this is the
     *                         plan's last node: its final status also ends the parent run
     */
    record Start(String attempt, long seq, long ts, String nodeKey, String node, String stage, String task,
                 String method, String experiment, String mlflowExperiment, String pipelineRunId,
                 String specHash, String nodeHash, String runDir, String gitCommit, String image,
                 boolean closesPipeline) implements RunRecord {
    }

    /** Params logged together ({@link Tracker#logParams}), in the order given. */
    record Params(String attempt, long seq, long ts, Map<String, String> params) implements RunRecord {
        public Params {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }
    }

    /** A metric point; a non-finite value is written as the string "NaN", "Infinity" or "-Infinity". */
    record Metric(String attempt, long seq, long ts, String key, double value, long step) implements RunRecord {
    }

    /** A tag; a later value for the same key replaces the earlier one. */
    record Tag(String attempt, long seq, long ts, String key, String value) implements RunRecord {
    }

    /**
     * An artifact: a file or a folder as it was when logged.
     *
     * @param path         absolute path as logged
     * @param artifactPath destination folder in the run's artifacts ("" for the root)
     * @param folder       whether {@code path} is a folder (its files are listed relative to it)
     * @param nodeRelative the path relative to the node's output folder when it lies in it (or in
     *                     the node's temporary output folder, renamed into place at commit), so a
     *                     later upload finds it after the rename; null otherwise
     * @param files        every file with its destination below {@code artifactPath} and its size
     */
    record Artifact(String attempt, long seq, long ts, String path, String artifactPath, boolean folder,
                    String nodeRelative, List<ArtifactFile> files) implements RunRecord {
        public Artifact {
            files = List.copyOf(files);
        }
    }

    /** A file of an artifact: {@code name} is its path below the artifact path ('/' separated). */
    record ArtifactFile(String name, long bytes) {
    }

    /** Last record of a node attempt: how it ended, and the error of a FAILED (or KILLED) one. */
    record Finish(String attempt, long seq, long ts, Tracker.Status status, String error) implements RunRecord {
    }

    /** First record of a pipeline run, written by the runner; {@code attempt} is the pipeline run id. */
    record PipelineStart(String attempt, long seq, long ts, String experiment, String mlflowExperiment,
                         String specHash, String runDir, String gitCommit, String image,
                         List<String> nodes) implements RunRecord {
        public PipelineStart {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * Params, metrics and tags a node logs to its pipeline's parent run ({@link Tracker#logToParent}),
     * e.g. the report's spec params and summary metrics. In a tag value, {@value #NODE_RUN_ID} is
     * replaced by the MLflow run id of the node that logged it (to link that node's artifacts).
     */
    record ParentLog(String attempt, long seq, long ts, Map<String, String> params, Map<String, Double> metrics,
                     Map<String, String> tags) implements RunRecord {
        public static final String NODE_RUN_ID = "{node_run_id}";

        public ParentLog {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
            tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        }
    }

    /** Datasets the node consumed ({@link Tracker#logInputs}), MLflow run inputs. */
    record Inputs(String attempt, long seq, long ts, List<DatasetInput> datasets) implements RunRecord {
        public Inputs {
            datasets = List.copyOf(datasets);
        }
    }

    /** Last record of a pipeline run: its final status. */
    record PipelineFinish(String attempt, long seq, long ts, Tracker.Status status) implements RunRecord {
    }
}
