package org.deqbench.spec;

/**
 * Optimiser and schedule.
 *
 * @param epochs          passes over the training split
 * @param batchSize       examples per step
 * @param learningRate    Adam step size
 * @param schedule        {@code constant}, {@code cosine} or {@code step}
 * @param checkpointEvery steps between resumable checkpoints
 * @param maxSteps        optional cap on the total number of steps (0 = none)
 */
public record TrainingSpec(Integer epochs, Integer batchSize, Double learningRate, String schedule,
                           Integer checkpointEvery, Integer maxSteps) {
    public static final TrainingSpec DEFAULT = new TrainingSpec(null, null, null, null, null, null);

    public TrainingSpec {
        epochs = epochs == null ? 10 : epochs;
        batchSize = batchSize == null ? 2 : batchSize;
        learningRate = learningRate == null ? 1e-3 : learningRate;
        schedule = schedule == null ? "constant" : schedule;
        checkpointEvery = checkpointEvery == null ? 20 : checkpointEvery;
        maxSteps = maxSteps == null ? 0 : maxSteps;
    }
}
