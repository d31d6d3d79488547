package org.deqbench.plan;

import java.nio.file.Path;
import java.util.Map;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.track.Tracker;
import org.deqbench.track.Trackers;

/**
 * Runs one plan node in this process: takes the node's {@link RunLock}, checks its inputs are
 * complete, opens its tracker, runs the stage into a temporary folder and commits it atomically. On failure the temporary folder is
 * removed, the tracker records FAILED, and the error propagates with the node's id.
 */
public final class NodeExecutor {
    private NodeExecutor() {
    }

    /** Result of running a node. */
    public record Outcome(PlanNode node, boolean skipped, Path dir) {
    }

    /**
     * Loads the spec, plans it, and runs the node {@code stage[/task[/method]]}.
     *
     * @param force rerun even if the node's marker matches
     * @throws RunLock.BusyException when a run or another process on the same node holds the lock
     */
    public static Outcome run(Stage stage, Path specFile, Path runDir, String task, String method, boolean force)
            throws Exception {
        return run(stage, specFile, runDir, task, method, force, false);
    }

    /**
     * As {@link #run(Stage, Path, Path, String, String, boolean)}.
     *
     * @param ignoreCodeVersion count outputs made by other code as up to date (spec-only caching)
     */
    public static Outcome run(Stage stage, Path specFile, Path runDir, String task, String method, boolean force,
                              boolean ignoreCodeVersion) throws Exception {
        ExperimentSpec spec = SpecLoader.load(specFile);
        Plan plan = Planner.plan(spec, specFile.toString(), runDir.toString());
        String id = stage.name() + (task == null ? "" : "/" + task) + (method == null ? "" : "/" + method);
        PlanNode node = plan.node(id);
        RunStore store = new RunStore(runDir, !ignoreCodeVersion);
        try (RunLock lock = RunLock.forNode(runDir, id, System.getenv(), System.err::println)) {
            store.cleanAbandoned(id);
            return runLocked(stage, spec, specFile, runDir, plan, node, store, force);
        }
    }

    private static Outcome runLocked(Stage stage, ExperimentSpec spec, Path specFile, Path runDir, Plan plan,
                                     PlanNode node, RunStore store, boolean force) throws Exception {
        String id = node.id();
        if (!force && store.isComplete(node)) {
            return new Outcome(node, true, store.nodeDir(id));
        }
        for (String in : node.inputs()) {
            PlanNode up = plan.node(in);
            String stale = store.staleReason(up);
            if (stale != null) {
                throw new NodeOutputError(store.nodeDir(in), "input node '" + in + "' of '" + id
                        + "' is missing or stale (" + stale + "); run 'deqbench run " + specFile
                        + "' or that stage first", null);
            }
        }
        NodeOutput out = store.begin(node);
        FiniteMetrics tracker = new FiniteMetrics(Trackers.forNode(runDir, plan, node), id);
        Thread hook = new Thread(() -> tracker.finish(Tracker.Status.KILLED, "terminated by signal"));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Map<String, String> params = new java.util.LinkedHashMap<>(org.deqbench.track.SpecParams.forNode(spec, node));
            params.put("spec_hash", plan.specHash());
            params.put("node_hash", node.hash());
            tracker.logParams(params);
            if (node.stage().equals("train")) {
                // the simulated data the node trains and is tested on, as MLflow run inputs
                java.util.List<org.deqbench.track.DatasetInput> data = new java.util.ArrayList<>();
                for (String in : node.inputs()) {
                    String digest = store.manifestDigest(in);
                    if (digest != null && plan.node(in).stage().equals("simulate")) {
                        data.add(new org.deqbench.track.DatasetInput(in, digest.substring(0, 16),
                                "{\"uri\": " + RunStore.JSON.writeValueAsString(store.nodeDir(in).toAbsolutePath()
                                        .toString()) + "}", "local", "train"));
                    }
                }
                if (!data.isEmpty()) {
                    tracker.logInputs(data);
                }
            }
            stage.run(new NodeContext(spec, specFile, plan, node, store, out, tracker));
            tracker.requireAllFinite();
            Path dir = out.commit();
            // the node's folder (report, figures, certificates, model; arrays over 1 MB only when
            // the spec says tracking.upload_arrays: true) under its stage name
            tracker.logArtifact(dir, node.stage(), spec.trackingSettings().uploadArrays()
                    ? org.deqbench.track.ArraySizeLimit.NONE
                    : new org.deqbench.track.ArraySizeLimit(org.deqbench.spec.TrackingSpec.ARRAY_UPLOAD_LIMIT_BYTES));
            tracker.finish(Tracker.Status.FINISHED, null);
            return new Outcome(node, false, dir);
        } catch (Exception | Error e) {
            out.abandon();
            tracker.finish(Tracker.Status.FAILED, e.toString());
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running
            }
        }
    }
}
