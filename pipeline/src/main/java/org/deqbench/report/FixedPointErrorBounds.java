package org.deqbench.report;

import java.util.Arrays;

/**
 * A DEQ-GD (or RERG) method's fixed-point error bound against the true error over the test images,
 * as its train node reports it in {@code method.json}'s {@code error_bounds}. For a contractive
 * gradient-descent map T with Lipschitz constant L_T < 1 and any reference x̄,
 * ‖x* − x̄‖ ≤ ‖T(x̄) − x̄‖ / (1 − L_T) (Willingham, Sjöström, Guillemot, VISAPP 2024); here x̄ is the
 * ground truth and L_T a local estimate L̂_T, so the bound is an estimate, not a certificate.
 *
 * @param trueErrors ‖x* − x_gt‖ per image
 * @param bounds     ‖T(x_gt) − x_gt‖ / (1 − L̂_T) per image, NaN where L̂_T ≥ 1 (no bound)
 * @param lipschitz  L̂_T per image
 */
public record FixedPointErrorBounds(double[] trueErrors, double[] bounds, double[] lipschitz) {
    public FixedPointErrorBounds {
        if (bounds.length != trueErrors.length || lipschitz.length != trueErrors.length) {
            throw new IllegalArgumentException("one true error, bound and Lipschitz estimate per image expected, found "
                    + trueErrors.length + ", " + bounds.length + " and " + lipschitz.length);
        }
        trueErrors = trueErrors.clone();
        bounds = bounds.clone();
        lipschitz = lipschitz.clone();
    }

    /** Images with a bound (L̂_T < 1). */
    public long finite() {
        return Arrays.stream(bounds).filter(Double::isFinite).count();
    }

    /** Images whose bound is at least the true error. */
    public long holds() {
        int n = 0;
        for (int i = 0; i < bounds.length; i++) {
            n += Double.isFinite(bounds[i]) && bounds[i] >= trueErrors[i] ? 1 : 0;
        }
        return n;
    }
}
