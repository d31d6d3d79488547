package org.deqbench.certify;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * {@code certify/<task>/<method>/certificate.json}: what the certify stage proved or estimated about
 * the Lipschitz constant of the reconstruction map b ↦ f(b), read back by the attack stage (the
 * bound it checks against) and the report. Only {@code kind = "certificate"} is a proven upper
 * bound; an {@code "estimate"} is never called a certificate.
 *
 * <p>For a deep-equilibrium method whose network is proven L-Lipschitz with L &lt; 1, the MOL terms
 * of {@link MonotoneBound} are written as well ({@code monotone}, flattened into the same object):
 * ‖Δx‖ ≤ min(λ‖A‖/m, ½√(λ/m))·‖δ‖ with m = 1 − L (Pramanik, Zimmerman, Jacob, IEEE TCI 2023).
 * Readers accept files in which any key but the structure is absent: absent and null mean "not
 * computed".
 *
 * @param task             task name
 * @param method           method name
 * @param kind             {@code certificate} (a proven upper bound) or {@code estimate}
 * @param lipschitzUpper   the largest proven per-image bound, or null when the method has none
 * @param lipschitzLower   the largest amplification found (Lanczos on RᵀR, adversarial ascent), or null
 * @param iterations       most iterations any image's lower bound took
 * @param residual         largest relative change at the last of those iterations
 * @param images           number of test images certified
 * @param bound            how the upper bound is derived, in words and formulas
 * @param lipschitzH       MOL: proven L(H) of the network, else null
 * @param margin           MOL: monotonicity margin m = 1 − L(H), else null
 * @param lambda           MOL: λ, else null
 * @param normA            MOL: the largest proven ‖A‖ over the images, or null
 * @param operatorTerm     MOL: λ‖A‖/m, or null
 * @param monotoneTerm     MOL: ½√(λ/m), else null
 * @param bindingTerm      MOL: which of the two terms is smaller, else null
 * @param alpha            MOL: the step α, or null
 * @param alphaLimit       MOL: the largest α for which the step contracts, else null
 * @param contractionFactor MOL: 1 − αm, or null
 * @param alphaContracts   MOL: whether α gives a contraction, or null
 * @param lipschitzHMethod MOL: how L(H) is proven, else null
 * @param robustnessFactor MOL: the bound on ‖Δx‖/‖δ‖ (= lipschitzUpper) when proven, else null
 * @param perImage         one row per certified image
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"task", "method", "kind", "lipschitz_upper", "lipschitz_lower", "iterations", "residual", "images",
        "bound", "lipschitz_h", "monotonicity_margin", "lambda", "norm_a", "lambda_norm_a_over_m",
        "half_sqrt_lambda_over_m", "binding_term", "alpha", "alpha_contraction_limit", "contraction_factor",
        "alpha_contracts", "lipschitz_h_method", "robustness_factor", "per_image"})
public record LipschitzCertificate(
        @JsonProperty("task") String task,
        @JsonProperty("method") String method,
        @JsonProperty("kind") String kind,
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("lipschitz_upper") Double lipschitzUpper,
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("lipschitz_lower") Double lipschitzLower,
        @JsonProperty("iterations") Integer iterations,
        @JsonProperty("residual") Double residual,
        @JsonProperty("images") Integer images,
        @JsonProperty("bound") String bound,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("lipschitz_h") Double lipschitzH,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("monotonicity_margin") Double margin,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("lambda") Double lambda,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("norm_a") Double normA,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("lambda_norm_a_over_m") Double operatorTerm,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("half_sqrt_lambda_over_m") Double monotoneTerm,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("binding_term") String bindingTerm,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("alpha") Double alpha,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("alpha_contraction_limit") Double alphaLimit,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("contraction_factor") Double contractionFactor,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("alpha_contracts") Boolean alphaContracts,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("lipschitz_h_method") String lipschitzHMethod,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("robustness_factor") Double robustnessFactor,
        @JsonProperty("per_image") List<ImageBound> perImage) {

    public static final String CERTIFICATE = "certificate";
    public static final String ESTIMATE = "estimate";

    public LipschitzCertificate {
        perImage = perImage == null ? List.of() : List.copyOf(perImage);
    }

    /**
     * A certificate without MOL terms.
     */
    public static LipschitzCertificate of(String task, String method, String kind, Double upper, Double lower,
                                          int iterations, double residual, int images, String bound,
                                          List<ImageBound> perImage) {
        return new LipschitzCertificate(task, method, kind, upper, lower, iterations, residual, images, bound,
                null, null, null, null, null, null, null, null, null, null, null, null, null, perImage);
    }

    /** This certificate with MOL's terms ({@link MonotoneBound#terms}), how L(H) was proven and the robustness factor. */
    public LipschitzCertificate withMonotone(MonotoneBound.Terms t, String hMethod, Double robustness) {
        return new LipschitzCertificate(task, method, kind, lipschitzUpper, lipschitzLower, iterations, residual, images,
                bound, t.lipschitzH(), t.margin(), t.lambda(), t.normA(), t.operatorTerm(), t.monotoneTerm(),
                t.bindingTerm(), t.alpha(), t.alphaLimit(), t.contractionFactor(), t.alphaContracts(), hMethod,
                robustness, perImage);
    }

    /** Whether this is a proven bound (as opposed to an estimate). */
    @JsonIgnore
    public boolean isCertificate() {
        return CERTIFICATE.equals(kind);
    }

    /**
     * The proven bound on the amplification ‖Δx‖/‖δ‖ an attack is checked against: the robustness
     * factor when given, else the proven Lipschitz upper bound; null for an estimate.
     */
    public Double amplificationBound() {
        if (!isCertificate()) {
            return null;
        }
        return robustnessFactor != null ? robustnessFactor : lipschitzUpper;
    }

    /**
     * One certified image.
     *
     * @param index            test-split index
     * @param lipschitzUpper   proven bound for this image's operator, or null
     * @param operatorTerm     MOL: λ‖A‖/m for this image, or null
     * @param bindingTerm      MOL: which term binds for this image, else null
     * @param lipschitzLower   largest amplification found, or null when not computed
     * @param iterations       iterations the lower bound took, or null
     * @param residual         relative change at the last iteration, or null
     * @param lowerBoundMethod {@code Lanczos on R^T R} or {@code adversarial ascent}, or null
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"index", "lipschitz_upper", "lambda_norm_a_over_m", "binding_term", "lipschitz_lower",
            "iterations", "residual", "lower_bound_method"})
    public record ImageBound(
            @JsonProperty("index") int index,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("lipschitz_upper") Double lipschitzUpper,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("lambda_norm_a_over_m") Double operatorTerm,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("binding_term") String bindingTerm,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("lipschitz_lower") Double lipschitzLower,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("iterations") Integer iterations,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("residual") Double residual,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("lower_bound_method") String lowerBoundMethod) {
    }
}
