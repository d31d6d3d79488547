package org.deqbench.track;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Opens the tracker of a node: the local run log always, and MLflow as well when
 * {@code MLFLOW_TRACKING_URI} is set (see {@link TrackingEnv} for every variable read).
 *
 * <p>The node's MLflow run is nested under the pipeline run's parent. Under the local runner the
 * pipeline run id (and the parent run id) come from {@link PipelineRun#childEnvironment()}; a node
 * started without them — a pod of an Airflow DAG — derives the pipeline run id from the run
 * directory and the spec hash ({@link PipelineTracking#derivedRunId}), so every pod of the same
 * plan on the same volume finds (or creates) the same parent run, and the plan's last node ends it.
 */
public final class Trackers {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Trackers() {
    }

    /** The run log file of a node: {@code <runDir>/runlog/<node id with '/' as '+'>.jsonl}. */
    public static Path runLogFile(Path runDir, String nodeId) {
        return RunLogLayout.nodeFile(runDir, nodeId);
    }

    /** {@link #forNode(Path, TrackedPlan, TrackedNode, Map)} with this process's environment. */
    public static Tracker forNode(Path runDir, TrackedPlan plan, TrackedNode node) {
        return forNode(runDir, plan, node, System.getenv());
    }

    /**
     * Opens the tracker of {@code node}, writing its start record.
     *
     * @param env the environment to read (tests pass their own instead of mutating the process's)
     * @throws IllegalArgumentException when an MLflow variable is set to something unusable
     */
    public static Tracker forNode(Path runDir, TrackedPlan plan, TrackedNode node, Map<String, String> env) {
        Optional<MlflowSettings> mlflow = MlflowSettings.fromEnv(env);
        Provenance prov = Provenance.detect(env);
        String given = env.get(TrackingEnv.PIPELINE_RUN_ID);
        String pipelineRunId = given == null || given.isBlank() ? PipelineTracking.derivedRunId(runDir, plan) : given.strip();
        boolean managed = "1".equals(env.get(TrackingEnv.PIPELINE_MANAGED));
        List<? extends TrackedNode> nodes = plan.nodes();
        boolean closesPipeline = !managed && !nodes.isEmpty() && nodes.get(nodes.size() - 1).id().equals(node.id());
        String attempt = HexFormat.of().formatHex(randomBytes());
        String mlflowExperiment = PipelineTracking.mlflowExperimentName(env, plan);
        RunRecord.Start start = new RunRecord.Start(attempt, 0, System.currentTimeMillis(),
                pipelineRunId + "/" + node.id() + "/" + attempt, node.id(), node.stage(), node.task(), node.method(),
                plan.experiment(), mlflowExperiment, pipelineRunId, plan.specHash(), node.hash(),
                runDir.toAbsolutePath().normalize().toString(), prov.gitCommit(), prov.image(), closesPipeline);
        Path file = RunLogLayout.nodeFile(runDir, node.id());
        // Held while the node runs; if another attempt of the node still holds it, run regardless.
        ProcessLock lock = ProcessLock.tryAcquire(RunLogLayout.lockFile(file)).orElse(null);
        MlflowSender sender = null;
        Optional<MlflowOffline> offline = mlflow.flatMap(m -> MlflowOffline.recent(runDir, m.host(), m.probeInterval()));
        if (offline.isPresent()) {
            System.err.println("deqbench: MLflow at " + offline.get().host() + " failed for " + offline.get().by()
                    + " at " + offline.get().at() + "; " + node.id() + " tracks in the local run log only"
                    + " ('deqbench mlflow sync " + runDir + "' delivers it later)");
        } else if (mlflow.isPresent()) {
            MlflowDelivery delivery = new MlflowDelivery(new MlflowGateway(mlflow.get()), System.err::println);
            preset(delivery, env, mlflowExperiment, pipelineRunId);
            AttemptState state = new AttemptState(start, new AckLog(RunLogLayout.ackFile(file)));
            sender = new MlflowSender(delivery, state, runDir, file);
        }
        return new RunLogTracker(file, start, sender, lock);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    static void preset(MlflowDelivery delivery, Map<String, String> env, String mlflowExperiment, String pipelineRunId) {
        String exp = env.get(TrackingEnv.MLFLOW_EXPERIMENT_ID);
        if (exp != null && !exp.isBlank()) {
            delivery.presetExperiment(mlflowExperiment, exp.strip());
        }
        String parent = env.get(TrackingEnv.MLFLOW_PARENT_RUN_ID);
        if (parent != null && !parent.isBlank()) {
            delivery.presetParent(pipelineRunId, parent.strip());
        }
    }
}
