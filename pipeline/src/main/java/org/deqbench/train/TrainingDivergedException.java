package org.deqbench.train;

/**
 * Raised when a loss, gradient or parameter stops being finite. The last good checkpoint is kept;
 * the model has been reset to the last good parameters (the best validated ones, else those of the
 * last checkpoint); {@link #partial()} holds the curves up to the failing step.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final transient TrainingResult partial;

    public TrainingDivergedException(String message, TrainingResult partial) {
        super(message);
        this.partial = partial;
    }

    /** Curves and counts up to (excluding) the step that diverged. */
    public TrainingResult partial() {
        return partial;
    }
}
