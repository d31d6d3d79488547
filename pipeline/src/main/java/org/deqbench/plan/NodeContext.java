package org.deqbench.plan;

import java.nio.file.Path;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.deqbench.track.Tracker;

/**
 * What a running node sees: the validated spec, the plan and its own node, its inputs, its output
 * folder and its tracker.
 *
 * @param spec     the validated experiment spec
 * @param specFile the spec file (relative paths in the spec resolve against its folder)
 * @param plan     the whole plan
 * @param node     this node
 * @param store    the run store
 * @param output   this node's (temporary) output
 * @param tracker  where metrics go (local run log, and MLflow when configured)
 */
public record NodeContext(ExperimentSpec spec, Path specFile, Plan plan, PlanNode node, RunStore store,
                          NodeOutput output, Tracker tracker) {

    public TaskSpec task() {
        if (node.task() == null) {
            throw new IllegalStateException("node " + node.id() + " has no task");
        }
        return spec.task(node.task());
    }

    public MethodSpec method() {
        if (node.method() == null) {
            throw new IllegalStateException("node " + node.id() + " has no method");
        }
        return spec.method(node.method());
    }

    /** A completed input node, by id (must be one of this node's declared inputs). */
    public NodeInput input(String nodeId) {
        if (!node.inputs().contains(nodeId)) {
            throw new IllegalArgumentException("node " + node.id() + " does not declare input " + nodeId
                    + "; its inputs are " + node.inputs());
        }
        return store.input(nodeId);
    }

    /** The simulate node of this node's task. */
    public NodeInput simulated() {
        return input("simulate/" + node.task());
    }

    /** The train node of this node's task and method. */
    public NodeInput trained() {
        return input("train/" + node.task() + "/" + node.method());
    }

    /** Base folder for relative paths in the spec. */
    public Path specDir() {
        Path parent = specFile.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}
