package org.deqbench.spec;

/**
 * RERG's regulariser (Willingham, Sjöström, Guillemot, VISAPP 2024): the numerator of the
 * fixed-point error bound at the ground truth, ‖T(x_gt) − x_gt‖², added to the training loss with
 * {@code weight}. Both the squared error of the fixed point and this term are means over pixels, so
 * a weight of 1 treats them alike.
 *
 * @param weight weight ≥ 0 of the bound term (default 0.1; 0 trains plain DEQ-GD)
 */
public record ErrorBoundSpec(Double weight) {
    public static final ErrorBoundSpec DEFAULT = new ErrorBoundSpec(null);

    public ErrorBoundSpec {
        weight = weight == null ? 0.1 : weight;
    }
}
