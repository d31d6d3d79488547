package org.deqbench.plan;

import java.nio.file.Path;
import java.util.Map;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.track.Tracker;
import org.deqbench.track.Trackers;

/**
 * Runs one plan node in this process: checks its inputs are complete, opens its tracker, runs the
 * stage into a temporary folder and commits it atomically. On failure the temporary folder is
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
     */
    public static Outcome run(Stage stage, Path specFile, Path runDir, String task, String method, boolean force)
            throws Exception {
        ExperimentSpec spec = SpecLoader.load(specFile);
        Plan plan = Planner.plan(spec, specFile.toString(), runDir.toString());
        String id = stage.name() + (task == null ? "" : "/" + task) + (method == null ? "" : "/" + method);
        PlanNode node = plan.node(id);
        RunStore store = new RunStore(runDir);
        if (!force && store.isComplete(node)) {
            return new Outcome(node, true, store.nodeDir(id));
        }
        for (String in : node.inputs()) {
            PlanNode up = plan.node(in);
            if (!store.isComplete(up)) {
                throw new NodeOutputError(store.nodeDir(in), "input node '" + in + "' of '" + id
                        + "' is missing or stale (its marker does not match the spec); run 'deqbench run "
                        + specFile + "' or that stage first", null);
            }
        }
        NodeOutput out = store.begin(node);
        Tracker tracker = Trackers.forNode(runDir, plan, node);
        Thread hook = new Thread(() -> tracker.finish(Tracker.Status.KILLED, "terminated by signal"));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Map<String, String> params = new java.util.LinkedHashMap<>(org.deqbench.track.SpecParams.forNode(spec, node));
            params.put("spec_hash", plan.specHash());
            params.put("node_hash", node.hash());
            tracker.logParams(params);
            stage.run(new NodeContext(spec, specFile, plan, node, store, out, tracker));
            Path dir = out.commit();
            // the node's whole folder (report, figures, certificates, model, arrays) under its stage name
            tracker.logArtifact(dir, node.stage());
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
