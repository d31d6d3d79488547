package org.deqbench.train;

import org.deqbench.spec.LipschitzSpec;

/**
 * MOL-LR's log barrier on a Lipschitz estimate l (Pramanik, Zimmerman, Jacob, IEEE TCI 2023, and
 * the official MOL code):
 * <pre>
 *   barrier(l) = −log(T − l)                  for l &lt; T − e
 *              = −log(e) + (l − T + e) / e    for l ≥ T − e
 * </pre>
 * The linear continuation beyond T − e matches the logarithm's value and slope (1/e) at the
 * switch point, so the penalty stays finite and C¹ when an estimate overshoots the threshold T
 * (which a log alone would turn into NaN). The training loss adds β·barrier(l̂).
 *
 * @param t    threshold T the Lipschitz constant must stay below (0.98 in the MOL code)
 * @param e    width e of the logarithmic zone's cut-off (1e-3)
 * @param beta weight β of the penalty in the loss (1e-6)
 */
public record LipschitzBarrier(double t, double e, double beta) {
    public LipschitzBarrier {
        if (!(e > 0) || !(t > e)) {
            throw new IllegalArgumentException("lipschitz barrier: expected 0 < e < t, found t=" + t + ", e=" + e);
        }
        if (!(beta >= 0)) {
            throw new IllegalArgumentException("lipschitz barrier: expected beta ≥ 0, found " + beta);
        }
    }

    public static LipschitzBarrier of(LipschitzSpec spec) {
        return new LipschitzBarrier(spec.t(), spec.e(), spec.beta());
    }

    /** barrier(l), unweighted. */
    public double value(double l) {
        if (l < t - e) {
            return -Math.log(t - l);
        }
        return -Math.log(e) + (l - t + e) / e;
    }

    /** d barrier / dl, unweighted: 1/(T − l) in the log zone, 1/e beyond. */
    public double derivative(double l) {
        if (l < t - e) {
            return 1.0 / (t - l);
        }
        return 1.0 / e;
    }

    /** The loss term β·barrier(l). */
    public double penalty(double l) {
        return beta * value(l);
    }

    /** d(β·barrier)/dl. */
    public double penaltyDerivative(double l) {
        return beta * derivative(l);
    }
}
