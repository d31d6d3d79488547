package org.deqbench.report;

/**
 * How an explicit-objective method's minimisation behaved on the test split (ELDER: gradient
 * descent with Armijo backtracking, which by construction never increases the objective), as
 * {@link org.deqbench.stage.UpstreamReader} read it from its train node's {@code method.json}:
 * {@code objective_images}, {@code objective_monotone_images}, {@code objective_largest_increase},
 * {@code forward_iterations}, {@code converged_images}.
 *
 * @param images          test images minimised
 * @param monotone        images on which F(x_{k+1}) ≤ F(x_k) at every iteration
 * @param largestIncrease largest F(x_{k+1}) − F(x_k) over all images and iterations (≤ 0 when every
 *                        step decreased)
 * @param meanIterations  mean accepted steps per image, or null
 * @param converged       images that met the stationarity tolerance, or null
 */
public record ObjectiveDescent(int images, int monotone, double largestIncrease, Double meanIterations,
                               Integer converged) {

    /** Whether the objective decreased at every iteration on every image. */
    public boolean allMonotone() {
        return monotone == images;
    }
}
