package org.deqbench.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A method being trained, as the {@link Trainer} sees it: named parameters updated in place, a
 * loss with its gradients on a batch, a hook after the parameters change, and a per-example
 * validation score.
 *
 * @param <B> the batch type (e.g. measurements, ground truth and operator of some examples)
 */
public interface TrainableModel<B> {
    /**
     * The trainable parameters by name. The arrays are live: the optimiser updates them in place
     * and the model uses them on its next evaluation.
     */
    Map<String, INDArray> parameters();

    /**
     * Loss and ∂loss/∂parameter on a batch at optimisation step {@code step} (the step index also
     * seeds any randomness of the loss, so a resumed run draws the same numbers).
     */
    StepResult lossAndGradients(B batch, long step);

    /**
     * Called whenever the trainer changed the parameter arrays: after every optimiser update,
     * after restoring a checkpoint and after restoring the best parameters. Models that copy the
     * parameters into a graph, or derive constrained weights from them (spectral normalisation),
     * do it here.
     */
    default void parametersChanged() {
    }

    /** Numbers worth recording once per epoch (costly ones, e.g. a converged Lipschitz bound). */
    /** Per-parameter factors on the learning rate (absent: 1). */
    default Map<String, Double> learningRateScales() {
        return Map.of();
    }

    default Map<String, Double> epochDiagnostics() {
        return Map.of();
    }

    /**
     * One learned λ per task of a model trained on several tasks ({@code training.lambda_per_task}),
     * each starting where the shared one was. Called once, before training. Models without a λ
     * refuse it.
     */
    default void separateLambdas(java.util.List<String> tasks) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no per-task λ");
    }

    /**
     * Makes the model act for task {@code task} (its λ, where λ is per task) until told otherwise.
     * The trainer's batches say their task; the joint trainer calls it before each task's
     * evaluation. Nothing by default.
     */
    default void useTask(String task) {
    }

    /** Every task's λ by task name where λ is per task, else null. */
    default Map<String, Double> taskLambdas() {
        return null;
    }

    /** Per-example validation score, higher is better (PSNR in dB). */
    double[] validationScores(B batch);

    /**
     * One step's outcome.
     *
     * @param loss        the scalar loss (data term plus penalties)
     * @param gradients   ∂loss/∂p for every parameter p
     * @param diagnostics extra per-step numbers for the curves (solver iterations, residuals,
     *                    Lipschitz estimates, penalty terms …)
     */
    record StepResult(double loss, Map<String, INDArray> gradients, Map<String, Double> diagnostics) {
        public StepResult {
            diagnostics = Map.copyOf(diagnostics);
        }
    }
}
