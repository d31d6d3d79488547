package org.deqbench.recon;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch's reconstruction by an iteration with a tolerance and a cap ({@link PlugAndPlay},
 * {@link RegularizationByDenoising}), with how the iteration ended for each example.
 *
 * @param x          the reconstruction {@code [B, ...]}
 * @param iterations steps per example
 * @param change     final relative change ‖x_{k+1} − x_k‖ / ‖x_{k+1}‖ per example
 * @param converged  whether each example met the tolerance within the cap
 * @param diverged   whether each example was stopped because its iterates grew without bound
 */
public record IterationOutcome(INDArray x, int[] iterations, double[] change, boolean[] converged,
                               boolean[] diverged) {
}
