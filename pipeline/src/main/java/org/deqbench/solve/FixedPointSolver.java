package org.deqbench.solve;

import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batched solver for x = T(x): the forward pass of a deep-equilibrium model and its implicit
 * backward pass u = g + J^T u (Bai, Kolter, Koltun, NeurIPS 2019; Gilton, Ongie, Willett,
 * IEEE TCI 2021). Every example (first axis) has its own stopping test, the relative fixed-point
 * residual ‖T(x) − x‖ / ‖T(x)‖ — for plain iteration exactly the relative change
 * ‖x⁺ − x‖ / ‖x⁺‖ of MOL's official code — and is frozen once it meets it. The map is applied to
 * the whole batch every iteration; {@link SolveResult#mapEvaluations()} counts those applications.
 */
public interface FixedPointSolver {

    /**
     * Iterates from {@code x0} (not modified) to a fixed point of {@code map}.
     *
     * @param map T, applied to whole batches of x0's shape; it must not modify its argument
     */
    SolveResult solve(UnaryOperator<INDArray> map, INDArray x0);

    /**
     * The solver named by a spec's {@code deq.solver}: {@code plain} (fixed-point iteration) or
     * {@code anderson} (memory {@code memory}, default regularisation and no damping).
     */
    static FixedPointSolver of(String kind, int memory, int maxIterations, double tolerance) {
        return switch (kind) {
            case "plain" -> new FixedPointIteration(maxIterations, tolerance);
            case "anderson" -> AndersonAcceleration.of(memory, maxIterations, tolerance);
            default -> throw new IllegalArgumentException("deq.solver: expected plain or anderson, got '" + kind + "'");
        };
    }
}
