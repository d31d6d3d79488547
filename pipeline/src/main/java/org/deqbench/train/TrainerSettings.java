package org.deqbench.train;

import java.nio.file.Path;
import org.deqbench.spec.TrainingSpec;

/**
 * How the {@link Trainer} runs.
 *
 * @param epochs          passes over the training data
 * @param batchSize       examples per step (the last batch of an epoch may be smaller)
 * @param schedule        step-size schedule
 * @param checkpointEvery steps between checkpoints (0 = only at epoch ends)
 * @param maxSteps        cap on the total number of steps (0 = none)
 * @param seed            root seed of the shuffling and of every per-step random stream
 * @param checkpointDir   where checkpoints live (outside the node's temporary output); null = none
 * @param fingerprint     identifies the configuration; a checkpoint with another one is discarded
 */
public record TrainerSettings(int epochs, int batchSize, String schedule, double learningRate,
                              int checkpointEvery, int maxSteps, long seed, Path checkpointDir,
                              String fingerprint) {
    public TrainerSettings {
        if (epochs < 1) {
            throw new IllegalArgumentException("training.epochs: expected ≥ 1, found " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("training.batch_size: expected ≥ 1, found " + batchSize);
        }
        fingerprint = fingerprint == null ? "" : fingerprint;
    }

    public static TrainerSettings of(TrainingSpec spec, long seed, Path checkpointDir, String fingerprint) {
        return new TrainerSettings(spec.epochs(), spec.batchSize(), spec.schedule(), spec.learningRate(),
                spec.checkpointEvery(), spec.maxSteps(), seed, checkpointDir, fingerprint);
    }

    public int stepsPerEpoch(int examples) {
        return (examples + batchSize - 1) / batchSize;
    }

    public long totalSteps(int examples) {
        return totalStepsOf(stepsPerEpoch(examples));
    }

    /** Steps of the whole run for epochs of {@code perEpoch} steps, capped by {@code max_steps}. */
    public long totalStepsOf(int perEpoch) {
        long t = (long) epochs * perEpoch;
        return maxSteps > 0 ? Math.min(t, maxSteps) : t;
    }
}
