package org.deqbench.stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deqbench.plan.ManifestEntry;
import org.deqbench.plan.NodeContext;
import org.deqbench.plan.NodeInput;
import org.deqbench.plan.NodeOutputError;
import org.deqbench.plan.Planner;
import org.deqbench.plan.Stage;
import org.deqbench.spec.MethodSpec;
import org.deqbench.train.JointTraining;
import org.deqbench.train.MethodRegistry;

/**
 * The {@code train} stage: fits one method on the training split of one task and writes its
 * test-split reconstructions and per-image metrics, through the method's entry in
 * {@link MethodRegistry}.
 *
 * <p>A method with {@code train_on} has two kinds of train node ({@link Planner}): the shared node
 * {@code train/joint/<method>} (no task) trains one model on all listed tasks
 * ({@link NodeTrainingRun#tasks()}); each {@code train/<task>/<method>} then takes the joint
 * node's share of its task ({@link #share}), so certify, attack and report find a complete train
 * node for every (task, method) pair.
 */
public final class TrainStage implements Stage {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public void run(NodeContext ctx) throws Exception {
        MethodSpec method = ctx.method();
        if (method.jointlyTrained() && ctx.node().task() != null) {
            share(ctx, ctx.input(Planner.jointTrainId(method.name())));
            return;
        }
        MethodRegistry.of(method.kind()).train(new NodeTrainingRun(ctx));
    }

    /**
     * Writes the files a train node of {@code ctx}'s task holds from the joint node: the task's
     * {@code reconstructions.npy}, {@code metrics.json}, {@code method.json} and
     * {@code model/model.json} (from {@code tasks/<task>/}), the shared {@code model/network/},
     * and {@code training.json} / {@code training.csv}, each listed with the joint node's role and
     * description.
     */
    static void share(NodeContext ctx, NodeInput joint) {
        String task = ctx.node().task();
        String prefix = JointTraining.TASKS_DIR + "/" + task + "/";
        boolean found = false;
        for (ManifestEntry e : joint.manifest().files()) {
            String target;
            if (e.file().startsWith(prefix)) {
                String rest = e.file().substring(prefix.length());
                target = rest.equals("model.json") ? "model/model.json" : rest;
                found = true;
            } else if (e.file().startsWith(JointTraining.TASKS_DIR + "/")) {
                continue;
            } else {
                target = e.file();
            }
            Path to = ctx.output().resolve(target);
            try {
                Files.copy(joint.existing(e.file()), to);
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot copy " + e.file() + " of " + joint.dir() + " to " + to, ex);
            }
            ctx.output().addFile(target, e.role(), e.dtype(), e.description());
        }
        if (!found) {
            throw new NodeOutputError(joint.dir(), "holds no outputs for task '" + task + "' (expected " + prefix
                    + "…); rerun " + Planner.jointTrainId(ctx.method().name()), null);
        }
    }
}
