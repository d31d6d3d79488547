package org.deqbench.report;

/**
 * Learning curves from {@code train/<task>/<method>/training.json}: the loss per optimiser step
 * and the validation PSNR per epoch. Either series may be empty.
 *
 * @param steps   step numbers
 * @param loss    training loss at each step
 * @param epochs  epoch numbers
 * @param valPsnr validation PSNR (dB) at each epoch
 */
public record TrainingCurves(double[] steps, double[] loss, double[] epochs, double[] valPsnr) {
    public TrainingCurves {
        if (steps.length != loss.length || epochs.length != valPsnr.length) {
            throw new IllegalArgumentException("curve lengths differ: " + steps.length + " steps / " + loss.length
                    + " losses, " + epochs.length + " epochs / " + valPsnr.length + " PSNRs");
        }
    }

    public boolean hasLoss() {
        return steps.length > 0;
    }

    public boolean hasValidation() {
        return epochs.length > 0;
    }
}
