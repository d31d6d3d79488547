package org.deqbench.train;

/**
 * Observes a training run (in the manner of DJL's training listeners): timing, memory,
 * progress, curves and tracking are listeners, not code inside the loop. A listener that throws
 * stops the run as a failure would (the last checkpoint survives).
 */
public interface TrainingListener {
    /** Before the first step (of this process: {@code firstStep} &gt; 0 after a resume). */
    default void onTrainingBegin(long firstStep, long totalSteps) {
    }

    /**
     * After parameters, optimiser state and curves were restored from a checkpoint, before
     * {@link #onTrainingBegin}.
     *
     * @param step       the step training continues from
     * @param checkpoint the checkpoint file
     * @param lastEpoch  the last validated epoch before the checkpoint, or null
     */
    default void onResume(long step, java.nio.file.Path checkpoint, EpochRecord lastEpoch) {
    }

    /** Before a step's forward pass. */
    default void onStepBegin(long step) {
    }

    /** After a step's update. */
    default void onStepEnd(StepRecord record) {
    }

    /** After an epoch's validation. */
    default void onEpochEnd(EpochRecord record) {
    }

    /** After a checkpoint was written. */
    default void onCheckpoint(long step, java.nio.file.Path file) {
    }

    /** After the last step. */
    default void onTrainingEnd() {
    }
}
