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
 * @param loss            equilibrium methods: {@code mse} (default: mean squared error of the real
 *                        and imaginary channels) or {@code magnitude-mse} (of the magnitude images,
 *                        as the official MOL code trains)
 * @param lambdaLearningRate equilibrium methods: Adam step size of log λ (null: {@code learning_rate}).
 *                        The official MOL code steps λ itself at rate 1 from λ = 100, i.e. about
 *                        0.01 in log λ: set 0.01 for that behaviour
 * @param lambdaPerTask   with {@code train_on} (deq-gd, rerg, elder): one learned λ per task instead of
 *                        one for all, the network shared. Tasks differ in their noise level and operator,
 *                        so the weight of the regulariser against the data term that suits one does not
 *                        suit another (TV, RED and MoDL choose or learn it per task too). Each step
 *                        updates the λ of its batch's task. Null (absent from the plan hash) or false:
 *                        one λ
 */
public record TrainingSpec(Integer epochs, Integer batchSize, Double learningRate, String schedule,
                           Integer checkpointEvery, Integer maxSteps, String loss, Double lambdaLearningRate,
                           // absent unless given: the plan hashes of every other spec stay what they were
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                           Boolean lambdaPerTask) {
    public static final TrainingSpec DEFAULT = new TrainingSpec(null, null, null, null, null, null, null, null, null);
    /** The loss choices. */
    public static final java.util.List<String> LOSSES = java.util.List.of("mse", "magnitude-mse");

    /** The six original settings with the default loss and λ step. */
    public TrainingSpec(Integer epochs, Integer batchSize, Double learningRate, String schedule,
                        Integer checkpointEvery, Integer maxSteps) {
        this(epochs, batchSize, learningRate, schedule, checkpointEvery, maxSteps, null, null, null);
    }

    /** With the loss and λ step, one λ for all tasks. */
    public TrainingSpec(Integer epochs, Integer batchSize, Double learningRate, String schedule,
                        Integer checkpointEvery, Integer maxSteps, String loss, Double lambdaLearningRate) {
        this(epochs, batchSize, learningRate, schedule, checkpointEvery, maxSteps, loss, lambdaLearningRate, null);
    }

    /** Whether a jointly trained method learns one λ per task ({@code lambda_per_task: true}). */
    public boolean separateLambdas() {
        return Boolean.TRUE.equals(lambdaPerTask);
    }

    public TrainingSpec {
        epochs = epochs == null ? 10 : epochs;
        batchSize = batchSize == null ? 2 : batchSize;
        learningRate = learningRate == null ? 1e-3 : learningRate;
        schedule = schedule == null ? "constant" : schedule;
        checkpointEvery = checkpointEvery == null ? 20 : checkpointEvery;
        maxSteps = maxSteps == null ? 0 : maxSteps;
        loss = loss == null ? "mse" : loss;
    }
}
