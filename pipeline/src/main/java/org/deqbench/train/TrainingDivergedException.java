package org.deqbench.train;

/** Raised when a loss, gradient or parameter stops being finite; the last good checkpoint is kept. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
