package org.deqbench.train;

import java.nio.file.Path;
import java.util.List;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.deqbench.store.NodeFiles;
import org.deqbench.store.NodeWriter;

/**
 * What {@link Method#train} needs from the pipeline for one (task, method) pair, without the plan
 * that schedules it: the spec sections, the simulated data, where outputs, checkpoints and metrics
 * go, and the seed and hash that make a resumed run continue the same random streams.
 *
 * <p>A run of a method with {@code train_on} trains one model on several tasks: {@link #tasks()}
 * lists them, each with its simulate node (whose examples carry their operator's parameters, so
 * every batch is rebuilt with its own task's operator); {@link #task()} and {@link #simulated()}
 * are then the first of them.
 */
public interface TrainingRun {
    /**
     * One task of a jointly trained run: its spec section and its simulate node.
     *
     * @param task      the task's spec section
     * @param simulated the task's simulate node ({@code train/} and {@code test/} splits)
     */
    record TaskData(TaskSpec task, NodeFiles simulated) {
    }

    /** The tasks of a run trained on several ({@code train_on}, in that order); empty for a one-task run. */
    default List<TaskData> tasks() {
        return List.of();
    }

    /** The method's spec section. */
    MethodSpec method();

    /** The task's spec section. */
    TaskSpec task();

    /** The run's identifier, e.g. {@code train/mri-4x/mol-lr} (progress lines, seeds, messages). */
    String id();

    /** The experiment's seed; the run's streams derive from it and {@link #id()}. */
    long experimentSeed();

    /** A hash of everything the run's result depends on; a checkpoint with another hash is not resumed. */
    String hash();

    /** The simulate node of the task ({@code train/} and {@code test/} splits). */
    NodeFiles simulated();

    /** Where the run's outputs go. */
    NodeWriter output();

    /** A folder for resumable checkpoints, outside {@link #output()}; deleted once the outputs are written. */
    Path checkpoints();

    /** Receives the training curves (loss, learning rate, memory, validation PSNR, diagnostics). */
    TrainingListener curves();

    /** Records one measured value (e.g. {@code test_psnr}) at a step. */
    void logMetric(String key, double value, long step);

    /** Records one measured value at step 0. */
    default void logMetric(String key, double value) {
        logMetric(key, value, 0);
    }
}
