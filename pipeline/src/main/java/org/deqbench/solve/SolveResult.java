package org.deqbench.solve;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of a batched iterative solve (conjugate gradients, fixed-point iteration, Anderson
 * acceleration, the implicit backward solve).
 *
 * <p>Solvers treat the first axis as the batch: every example has its own step sizes and its own
 * stopping test, and an example that has met its tolerance is frozen while the others continue.
 *
 * @param x                 the solution, same shape and dtype as the start
 * @param iterations        iterations run, i.e. the largest per-example count
 * @param residualHistory   worst (largest) per-example relative residual after each iteration;
 *                          entry 0 is the residual of the start. Its meaning is the solver's stop
 *                          criterion: ‖b − Mx‖/‖b‖ for CG, ‖x⁺ − x‖/‖x⁺‖ for fixed-point solvers
 * @param converged         true when every example met its tolerance within the iteration cap
 * @param exampleIterations iterations each example ran before it met its tolerance (or the cap)
 * @param exampleResiduals  each example's final relative residual
 * @param mapEvaluations    how many times the solver applied its operator or map to the batch
 *                          (the cost measure for comparing solvers)
 */
public record SolveResult(INDArray x, int iterations, double[] residualHistory, boolean converged,
                          int[] exampleIterations, double[] exampleResiduals, int mapEvaluations) {

    /** The worst final per-example relative residual. */
    public double finalResidual() {
        return Arrays.stream(exampleResiduals).max().orElse(0.0);
    }

    @Override
    public String toString() {
        return "SolveResult[iterations=" + iterations + ", converged=" + converged
                + ", finalResidual=" + finalResidual() + ", mapEvaluations=" + mapEvaluations
                + ", shape=" + Arrays.toString(x.shape()) + "]";
    }
}
