package org.deqbench.track;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One run of a whole plan by the local runner ({@link PipelineTracking#begin}): its records in
 * {@code runlog/_pipeline.jsonl}, and its MLflow parent run when MLflow is configured. Finishing
 * sets the parent's final status; a shutdown hook records KILLED if the runner is stopped first.
 */
public final class PipelineRun implements AutoCloseable {
    private final String id;
    private final Path runDir;
    private final AppendOnlyFile out;
    private final ProcessLock lock;
    private final Map<String, String> childEnv = new LinkedHashMap<>();
    private final MlflowDelivery delivery;
    private final AttemptState state;
    private final KillHook hook;
    private boolean degraded;
    private boolean finished;

    PipelineRun(Path runDir, TrackedPlan plan, String id, Map<String, String> env, MlflowSettings mlflow) {
        this.id = id;
        this.runDir = runDir;
        Provenance prov = Provenance.detect(env);
        Path file = RunLogLayout.pipelineFile(runDir);
        this.lock = ProcessLock.tryAcquire(RunLogLayout.lockFile(file)).orElse(null);
        this.out = new AppendOnlyFile(file);
        String mlflowExperiment = PipelineTracking.mlflowExperimentName(env, plan);
        RunRecord.PipelineStart start = new RunRecord.PipelineStart(id, 0, System.currentTimeMillis(),
                plan.experiment(), mlflowExperiment, plan.specHash(), runDir.toAbsolutePath().normalize().toString(),
                prov.gitCommit(), prov.image(), plan.nodes().stream().map(TrackedNode::id).toList());
        out.append(List.of(RunLogJson.line(start)));
        childEnv.put(TrackingEnv.PIPELINE_RUN_ID, id);
        childEnv.put(TrackingEnv.PIPELINE_MANAGED, "1");
        if (prov.gitCommit() != null) {
            childEnv.put(TrackingEnv.GIT_COMMIT, prov.gitCommit());
        }
        if (mlflow != null) {
            delivery = new MlflowDelivery(new MlflowGateway(mlflow), System.err::println);
            Trackers.preset(delivery, env, mlflowExperiment, id);
            state = new AttemptState(start, new AckLog(RunLogLayout.ackFile(file)));
            state.observe(start);
            // One attempt: nodes find or create the parent themselves, and a failure here tells them
            // (MlflowOffline) not to try the server during this run.
            MlflowOffline.clear(runDir);
            send(List.of(start), Duration.ZERO);
            if (state.runId != null) {
                childEnv.put(TrackingEnv.MLFLOW_EXPERIMENT_ID, state.experimentId);
                childEnv.put(TrackingEnv.MLFLOW_PARENT_RUN_ID, state.runId);
            }
        } else {
            delivery = null;
            state = null;
        }
        hook = new KillHook("deqbench-pipeline-kill", () -> finish(Tracker.Status.KILLED));
        hook.register();
    }

    private void send(List<RunRecord> records, Duration budget) {
        try {
            delivery.deliver(state, records, degraded ? Duration.ZERO : budget);
        } catch (MlflowCallException e) {
            MlflowOffline.mark(runDir, delivery.settings().host(), "pipeline run " + id,
                    delivery.redactor().redact(e.getMessage()));
            if (!degraded) {
                System.err.println(delivery.redactor().redact("deqbench: MLflow tracking at " + delivery.settings().host()
                        + " failed for pipeline run " + id + ": " + e.getMessage() + ". Carrying on with the local run"
                        + " log only; 'deqbench mlflow sync " + runDir + "' delivers whatever MLflow missed."));
            }
            degraded = true;
        }
    }

    /** The pipeline run id. */
    public String id() {
        return id;
    }

    /** The MLflow parent run id, if the parent run was created (or found). */
    public Optional<String> mlflowRunId() {
        return state == null ? Optional.empty() : Optional.ofNullable(state.runId);
    }

    /**
     * Environment variables for every node process of this run: the pipeline run id (and that a
     * runner owns it), the git commit, and the MLflow experiment and parent run ids when known.
     * No credentials: node processes inherit those from the runner's own environment.
     */
    public Map<String, String> childEnvironment() {
        return Map.copyOf(childEnv);
    }

    /** Records the pipeline's final status and sets it on the MLflow parent run. Idempotent. */
    public synchronized void finish(Tracker.Status status) {
        if (finished) {
            return;
        }
        finished = true;
        RunRecord.PipelineFinish f = new RunRecord.PipelineFinish(id, 1, System.currentTimeMillis(), status);
        out.append(List.of(RunLogJson.line(f)));
        try {
            if (delivery != null) {
                state.observe(f);
                // Stopped by a signal: the pod's grace period is short, so wait at most the kill wait.
                MlflowSettings s = delivery.settings();
                if (!degraded && MlflowOffline.recent(runDir, s.host(), s.probeInterval()).isEmpty()) {
                    send(List.of(state.first, f), Duration.ZERO);
                }
                delivery.close();
                state.acks.close();
            }
        } finally {
            out.close();
            if (lock != null) {
                lock.close();
            }
            hook.remove();
        }
    }

    /** Finishes as FINISHED unless {@link #finish} was called already. */
    @Override
    public void close() {
        finish(Tracker.Status.FINISHED);
    }
}
