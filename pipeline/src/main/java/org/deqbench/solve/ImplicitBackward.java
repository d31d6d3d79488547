package org.deqbench.solve;

import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward pass of a deep-equilibrium model x* = T(x*, θ) (Bai, Kolter, Koltun, NeurIPS 2019):
 * for a loss ℓ(x*), dℓ/dθ = (∂T/∂θ)^T u with u the solution of
 * <pre>
 *   u = g + J_T(x*)^T u,    g = ∂ℓ/∂x*
 * </pre>
 * solved as a fixed point of u ↦ g + J^T u from u₀ = g (MOL's official code: the same plain
 * iteration as the forward pass; Anderson acceleration as in Gilton et al., IEEE TCI 2021).
 * Jacobian-free backpropagation (Fung et al., AAAI 2022) replaces u by g: no solve, a descent
 * direction rather than the gradient when T is contractive.
 *
 * @param solver       the fixed-point solver (plain or Anderson) for the implicit variant
 * @param jacobianFree whether to skip the solve and return u = g
 */
public record ImplicitBackward(FixedPointSolver solver, boolean jacobianFree) {

    /**
     * From a spec's {@code deq.backward}: {@code implicit} or {@code jacobian-free}.
     */
    public static ImplicitBackward of(String backward, FixedPointSolver solver) {
        return switch (backward) {
            case "implicit" -> new ImplicitBackward(solver, false);
            case "jacobian-free" -> new ImplicitBackward(solver, true);
            default -> throw new IllegalArgumentException("deq.backward: expected implicit or jacobian-free, got '"
                    + backward + "'");
        };
    }

    /**
     * Solves u = g + J^T u.
     *
     * @param vjp u ↦ J_T(x*)^T u on batches of g's shape (must not modify its argument)
     * @param g   ∂ℓ/∂x* {@code [B, ...]} (not modified)
     * @return u in {@link SolveResult#x()}; for the Jacobian-free variant u = a copy of g after
     *         zero iterations
     */
    public SolveResult solve(UnaryOperator<INDArray> vjp, INDArray g) {
        if (jacobianFree) {
            int batch = (int) g.size(0);
            return new SolveResult(g.dup(), 0, new double[] {0.0}, true, new int[batch], new double[batch], 0);
        }
        return solver.solve(u -> vjp.apply(u).add(g), g);
    }
}
