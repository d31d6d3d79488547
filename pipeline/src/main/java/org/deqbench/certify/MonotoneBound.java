package org.deqbench.certify;

import com.fasterxml.jackson.databind.JsonNode;
import org.deqbench.physics.LinearOperator;

/**
 * MOL's robustness certificate (Pramanik, Zimmerman, Jacob, IEEE TCI 2023). If the CNN H is
 * L-Lipschitz with L < 1, the score F = I − H is m-monotone with m = 1 − L, and two fixed points
 * λA^H(Ax_i − b_i) + F(x_i) = 0 satisfy, after subtracting and taking the inner product with
 * Δx = x_1 − x_2,
 * <pre>
 *   λ‖AΔx‖² + m‖Δx‖² ≤ λ⟨A^H δ, Δx⟩   ⇒   ‖Δx‖ ≤ (λ/m)‖A^H δ‖ ≤ (λ/m)‖A‖ ‖δ‖.
 * </pre>
 * So λ‖A‖/m is a proven Lipschitz bound of b ↦ x* — loose, but a certificate — whenever L is
 * certified (MOL-SN: the product of the spectrally normalised layers' operator norms). The same
 * margin gives the contraction condition 0 < α < 2m/(2 − m)² of the gradient step.
 *
 * @param lipschitzH certified Lipschitz constant L of H
 * @param lambda     the learned data-consistency weight λ
 * @param alpha      the step α of the iteration
 */
record MonotoneBound(double lipschitzH, double lambda, double alpha) {

    /** The bound from a train node's method.json, or null unless L is certified and below 1. */
    static MonotoneBound from(JsonNode method) {
        if (!"mol-sn".equals(method.path("kind").asText()) || !method.hasNonNull("lipschitz_bound_h")
                || !method.hasNonNull("lambda")) {
            return null;
        }
        double l = method.get("lipschitz_bound_h").asDouble();
        if (!(l < 1)) {
            return null;
        }
        return new MonotoneBound(l, method.get("lambda").asDouble(), method.path("alpha").asDouble(Double.NaN));
    }

    double margin() {
        return 1 - lipschitzH;
    }

    /** λ‖A‖/m with the operator's proven norm bound; NaN when the operator proves none. */
    double reconstructionBound(LinearOperator op) {
        return lambda * op.normBound() / margin();
    }

    String describe() {
        return "MOL monotone fixed point: ||x*(b1) - x*(b2)|| <= (lambda/m) ||A|| ||b1 - b2||, m = 1 - L(H) = "
                + margin() + ", lambda = " + lambda;
    }
}
