package org.deqbench.train;

import java.util.Map;

/**
 * What one optimisation step measured.
 *
 * @param step         0-based step index
 * @param epoch        0-based epoch
 * @param loss         the loss before the update
 * @param learningRate the step size used
 * @param seconds      wall time of the step (forward, backward, update)
 * @param peakBytes    peak resident memory of the process during the step (0 when not measured)
 * @param peakHeapBytes peak JVM heap use during the step
 * @param peakOffHeapBytes peak resident memory outside the JVM heap during the step
 * @param diagnostics  the method's extra numbers (solver iterations, Lipschitz estimates, …)
 */
public record StepRecord(long step, int epoch, double loss, double learningRate, double seconds,
                         long peakBytes, long peakHeapBytes, long peakOffHeapBytes,
                         Map<String, Double> diagnostics) {
    public StepRecord {
        diagnostics = Map.copyOf(diagnostics);
    }
}
