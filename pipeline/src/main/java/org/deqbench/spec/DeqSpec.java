package org.deqbench.spec;

/**
 * Deep-equilibrium solver settings; defaults are the official MOL code's constants.
 *
 * @param alpha               step α of z = (1−α)x + αH(x)
 * @param lambda              initial data-consistency weight λ (learned)
 * @param maxIterations       forward fixed-point iteration cap
 * @param tolerance           forward stop: ‖x⁺ − x‖ / ‖x⁺‖ below this
 * @param solver              {@code plain} or {@code anderson}
 * @param andersonMemory      Anderson history length m
 * @param backward            {@code implicit} (exact implicit differentiation) or {@code jacobian-free}
 * @param backwardMaxIterations backward fixed-point iteration cap
 * @param backwardTolerance   backward relative-change tolerance
 * @param cgIterations        CG steps per data-consistency solve (warm-started)
 */
public record DeqSpec(Double alpha, Double lambda, Integer maxIterations, Double tolerance,
                      String solver, Integer andersonMemory, String backward,
                      Integer backwardMaxIterations, Double backwardTolerance, Integer cgIterations) {
    public static final DeqSpec DEFAULT = new DeqSpec(null, null, null, null, null, null, null, null, null, null);

    public DeqSpec {
        alpha = alpha == null ? 0.01 : alpha;
        lambda = lambda == null ? 100.0 : lambda;
        maxIterations = maxIterations == null ? 500 : maxIterations;
        tolerance = tolerance == null ? 1e-4 : tolerance;
        solver = solver == null ? "plain" : solver;
        andersonMemory = andersonMemory == null ? 5 : andersonMemory;
        backward = backward == null ? "implicit" : backward;
        backwardMaxIterations = backwardMaxIterations == null ? 500 : backwardMaxIterations;
        backwardTolerance = backwardTolerance == null ? 1e-4 : backwardTolerance;
        cgIterations = cgIterations == null ? 5 : cgIterations;
    }
}
