package org.deqbench.train;

import java.nio.file.Path;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.deqbench.store.NodeFiles;
import org.deqbench.store.NodeWriter;

/**
 * What {@link Method#train} needs from the pipeline for one (task, method) pair, without the plan
 * that schedules it: the spec sections, the simulated data, where outputs, checkpoints and metrics
 * go, and the seed and hash that make a resumed run continue the same random streams.
 */
public interface TrainingRun {
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
