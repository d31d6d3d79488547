package org.deqbench.stage;

import java.nio.file.Path;
import java.util.List;
import org.deqbench.plan.NodeContext;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.deqbench.store.NodeFiles;
import org.deqbench.store.NodeWriter;
import org.deqbench.train.TrainingListener;
import org.deqbench.train.TrainingRun;

/**
 * A train node as {@link org.deqbench.train.Method#train} sees it: the node's spec sections, its
 * task's simulate node, its output folder, checkpoints in {@code <run dir>/checkpoints/<node id>/}
 * and metrics to the node's tracker. For the shared node of a method with {@code train_on}
 * ({@code train/joint/<method>}, which has no task of its own), {@link #tasks()} lists the
 * {@code train_on} tasks with their simulate nodes, and {@link #task()} is the first of them.
 */
record NodeTrainingRun(NodeContext ctx) implements TrainingRun {
    @Override
    public MethodSpec method() {
        return ctx.method();
    }

    @Override
    public TaskSpec task() {
        return joint() ? ctx.spec().task(ctx.method().trainOn().get(0)) : ctx.task();
    }

    @Override
    public List<TaskData> tasks() {
        if (!joint()) {
            return List.of();
        }
        return ctx.method().trainOn().stream()
                .map(t -> new TaskData(ctx.spec().task(t), (NodeFiles) ctx.input("simulate/" + t))).toList();
    }

    /** Whether this is the shared train node of a method with {@code train_on}. */
    private boolean joint() {
        return ctx.node().task() == null && ctx.method().jointlyTrained();
    }

    @Override
    public String id() {
        return ctx.node().id();
    }

    @Override
    public long experimentSeed() {
        return ctx.spec().seed();
    }

    @Override
    public String hash() {
        return ctx.node().hash();
    }

    @Override
    public NodeFiles simulated() {
        return joint() ? ctx.input("simulate/" + task().name()) : ctx.simulated();
    }

    @Override
    public NodeWriter output() {
        return ctx.output();
    }

    @Override
    public Path checkpoints() {
        return ctx.store().root().resolve("checkpoints").resolve(ctx.node().id());
    }

    @Override
    public TrainingListener curves() {
        return new TrackerListener(ctx.tracker());
    }

    @Override
    public void logMetric(String key, double value, long step) {
        ctx.tracker().logMetric(key, value, step);
    }
}
