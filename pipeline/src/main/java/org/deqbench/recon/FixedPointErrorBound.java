package org.deqbench.recon;

/**
 * The a-posteriori error bound of a contractive fixed-point map, as used by RERG (Willingham,
 * Sjöström, Guillemot, VISAPP 2024) for DEQ-GD's T(x) = x − η(A^H(A x − b) + g_θ(x)).
 *
 * <p><b>Claim.</b> If T is L_T-Lipschitz with L_T &lt; 1 on a convex set holding x* = T(x*) and a
 * point x̄ (for instance the ground truth), then
 * <pre>
 *   ‖x* − x̄‖ ≤ ‖T(x̄) − x̄‖ / (1 − L_T) = η ‖A^H(A x̄ − b) + g_θ(x̄)‖ / (1 − L_T).
 * </pre>
 * <b>Proof.</b> ‖x* − x̄‖ = ‖T(x*) − T(x̄) + T(x̄) − x̄‖ ≤ L_T ‖x* − x̄‖ + ‖T(x̄) − x̄‖ by the triangle
 * inequality and the Lipschitz property; move the first term to the left and divide by 1 − L_T &gt; 0.
 * Only the pair (x*, x̄) enters, so by the mean-value inequality it suffices that
 * ‖J_T(z)‖₂ ≤ L_T on the segment [x*, x̄]. For L_T ≥ 1 the inequality says nothing (bound +∞).
 *
 * <p><b>Assumptions, and what the pipeline reports.</b> The global L_T of a CNN-driven map is not
 * known. The number reported next to the true error is computed with a <em>local estimate</em> of
 * L_T (power iteration on J_T^T J_T at x* and at x̄, the larger of the two): a lower estimate of
 * the Lipschitz constant on the segment, so the reported bound is an estimate, not a certificate.
 *
 * @param residualNorm ‖T(x̄) − x̄‖
 * @param lipschitz    the L_T used
 * @param bound        residualNorm / (1 − lipschitz), or +∞ when lipschitz ≥ 1
 */
public record FixedPointErrorBound(double residualNorm, double lipschitz, double bound) {

    /** The bound ‖T(x̄) − x̄‖ / (1 − L_T). */
    public static FixedPointErrorBound of(double residualNorm, double lipschitz) {
        if (!(residualNorm >= 0) || !(lipschitz >= 0)) {
            throw new IllegalArgumentException("error bound needs a residual norm and a Lipschitz constant ≥ 0, found "
                    + residualNorm + " and " + lipschitz);
        }
        double bound = lipschitz < 1 ? residualNorm / (1 - lipschitz) : Double.POSITIVE_INFINITY;
        return new FixedPointErrorBound(residualNorm, lipschitz, bound);
    }
}
