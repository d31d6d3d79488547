package org.deqbench.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The fixed-point error bound of DEQ-GD in training (Willingham, Sjöström, Guillemot, VISAPP 2024),
 * ‖x* − x_gt‖ ≤ ‖T(x_gt) − x_gt‖ / (1 − L_T), of which training uses the numerator at the ground
 * truth, ‖T(x_gt) − x_gt‖² (a mean over pixels, like the squared error of the fixed point, so a
 * weight of 1 treats the two alike).
 *
 * <ul>
 *   <li>{@code rerg}: {@code training: fixed-point} (the only choice) — loss = MSE(x*, x_gt) +
 *       {@code weight}·‖T(x_gt) − x_gt‖², the fixed point differentiated implicitly;</li>
 *   <li>{@code deq-gd} with {@code training: bound} — loss = ‖T(x_gt) − x_gt‖² alone, no fixed-point
 *       solve in training (the paper's first procedure); {@code weight} does not apply. Without an
 *       {@code error_bound} section {@code deq-gd} trains at its fixed point on the MSE alone.
 *       With {@code denominator: true} the loss is the logarithm of the whole squared bound,
 *       log(‖T(x_gt) − x_gt‖² / (1 − L̂_T)²), with L̂_T a finite-difference estimate of T's
 *       Lipschitz constant at x_gt along its steepest direction (DeqGdReconstructor#contraction).</li>
 * </ul>
 *
 * @param weight      weight ≥ 0 of the bound term in RERG's loss (default 0.1; 0 trains plain DEQ-GD)
 * @param training    {@code fixed-point} (default) or {@code bound}
 * @param denominator bound training only: also train the denominator 1 − L̂_T (absent or false: the
 *                    numerator alone, the earlier behaviour); left null when absent so that the
 *                    canonical spec JSON, and with it existing nodes' hashes, stay as they were
 */
public record ErrorBoundSpec(Double weight, String training,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Boolean denominator) {
    public static final ErrorBoundSpec DEFAULT = new ErrorBoundSpec(null, null, null);
    /** Training at the fixed point (DEQ-GD, RERG). */
    public static final String FIXED_POINT = "fixed-point";
    /** Training on the bound's numerator at the ground truth, without a fixed-point solve. */
    public static final String BOUND = "bound";
    /** The values of {@code training}. */
    public static final List<String> TRAININGS = List.of(FIXED_POINT, BOUND);

    public ErrorBoundSpec {
        weight = weight == null ? 0.1 : weight;
        training = training == null ? FIXED_POINT : training;
    }

    /** Weight and training, the numerator alone in bound training. */
    public ErrorBoundSpec(Double weight, String training) {
        this(weight, training, null);
    }

    /** Whether bound training also trains the denominator ({@code denominator: true}). */
    public boolean trainsDenominator() {
        return Boolean.TRUE.equals(denominator);
    }

    /** Whether this is the bound-trained variant. */
    public boolean boundTraining() {
        return BOUND.equals(training);
    }
}
