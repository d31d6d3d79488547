package org.deqbench.certify;


/**
 * MOL's robustness certificate (Pramanik, Zimmerman, Jacob, IEEE TCI 2023), tightened. If the
 * CNN H is L-Lipschitz with L < 1, the score F = I − H is m-monotone with m = 1 − L:
 * ⟨F(x) − F(y), x − y⟩ ≥ ‖x − y‖² − L‖x − y‖². Two fixed points λA^H(Ax_i − b_i) + F(x_i) = 0
 * give, after subtracting and taking the inner product with Δx = x₁ − x₂ (δ = b₁ − b₂,
 * t = ‖AΔx‖),
 * <pre>
 *   λ‖AΔx‖² + m‖Δx‖² ≤ λ⟨δ, AΔx⟩ ≤ λ‖δ‖ t,   i.e.   m‖Δx‖² ≤ λ(‖δ‖ t − t²).
 * </pre>
 * Two consequences:
 * <ul>
 *   <li>dropping −t² and using t ≤ ‖A‖‖Δx‖: ‖Δx‖ ≤ (λ‖A‖/m)‖δ‖ (the paper's bound);</li>
 *   <li>maximising ‖δ‖t − t² over t (at t = ‖δ‖/2): m‖Δx‖² ≤ λ‖δ‖²/4, so
 *       ‖Δx‖ ≤ ½√(λ/m)‖δ‖, independent of ‖A‖.</li>
 * </ul>
 * The certificate is the smaller, min(λ‖A‖/m, ½√(λ/m)). With H ≡ 0 (m = 1, F = I) the second is the
 * CG-SENSE bound max_s λs/(λs² + 1) ≤ ½√λ, attained when A has the singular value 1/√λ; with
 * H = (1 − m)I it is attained likewise, so it cannot be improved without more knowledge of H or A.
 *
 * <p><b>Step size.</b> For F = I − H the step x − αF(x) = (1 − α)x + αH(x) is Lipschitz with
 * factor (1 − α) + αL = 1 − αm for 0 < α ≤ 1 and α(1 + L) − 1 for α > 1, so it contracts for every
 * 0 < α < 2/(1 + L) = 2/(2 − m); the data-consistency step (I + αλA^H A)^{-1}(· + αλA^H b) is
 * non-expansive, so MOL's iteration contracts with the same factor. (The condition
 * α < 2m/(2 − m)² holds for a general m-monotone, (2 − m)-Lipschitz F and is far more conservative
 * here.)
 *
 * @param lipschitzH certified Lipschitz constant L of H (a proven upper bound)
 * @param lambda     the learned data-consistency weight λ
 * @param alpha      the step α of the iteration (NaN when unknown)
 */
public record MonotoneBound(double lipschitzH, double lambda, double alpha) {

    /** The certificate for L(H) proven below 1, or null when it is not (no margin, no certificate). */
    public static MonotoneBound of(double lipschitzH, double lambda, double alpha) {
        if (!(lipschitzH < 1) || !(lambda > 0)) {
            return null;
        }
        return new MonotoneBound(lipschitzH, lambda, alpha);
    }

    /** m = 1 − L. */
    public double margin() {
        return 1 - lipschitzH;
    }

    /** The paper's term λ‖A‖/m, with a proven ‖A‖ bound (NaN when the operator proves none). */
    public double operatorTerm(double normA) {
        return lambda * normA / margin();
    }

    /** The operator-free term ½√(λ/m). */
    public double monotoneTerm() {
        return 0.5 * Math.sqrt(lambda / margin());
    }

    /** min(λ‖A‖/m, ½√(λ/m)): a proven Lipschitz bound of b ↦ x* (the first term ignored when NaN). */
    public double reconstructionBound(double normA) {
        double first = operatorTerm(normA);
        return Double.isNaN(first) ? monotoneTerm() : Math.min(first, monotoneTerm());
    }

    /** Which term binds: {@code "half_sqrt_lambda_over_m"} or {@code "lambda_norm_a_over_m"}. */
    public String binding(double normA) {
        double first = operatorTerm(normA);
        return !Double.isNaN(first) && first < monotoneTerm() ? "lambda_norm_a_over_m" : "half_sqrt_lambda_over_m";
    }

    /** The contraction factor of MOL's iteration for step α (≥ 1: no contraction proven). */
    public double contractionFactor(double a) {
        return a <= 1 ? 1 - a * margin() : a * (1 + lipschitzH) - 1;
    }

    /** 2/(2 − m): every 0 < α below it contracts. */
    public double alphaLimit() {
        return 2 / (1 + lipschitzH);
    }

    /**
     * Every term of the certificate on operators with norm at most {@code normA}, as written to
     * {@code certificate.json}; a term that is not defined (NaN) is null.
     */
    public Terms terms(double normA) {
        return new Terms(lipschitzH, margin(), lambda, finite(normA), finite(operatorTerm(normA)), monotoneTerm(),
                binding(normA), finite(alpha), alphaLimit(), Double.isNaN(alpha) ? null : contractionFactor(alpha),
                Double.isNaN(alpha) ? null : alpha > 0 && contractionFactor(alpha) < 1);
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /**
     * The terms of MOL's certificate.
     *
     * @param lipschitzH        proven L(H) of the network
     * @param margin            m = 1 − L(H)
     * @param lambda            λ
     * @param normA             the proven bound on ‖A‖, or null
     * @param operatorTerm      λ‖A‖/m, or null without ‖A‖
     * @param monotoneTerm      ½√(λ/m)
     * @param bindingTerm       the smaller of the two: {@code lambda_norm_a_over_m} or {@code half_sqrt_lambda_over_m}
     * @param alpha             the iteration's step α, or null
     * @param alphaLimit        the largest α for which x − αF(x) contracts
     * @param contractionFactor 1 − αm, or null
     * @param alphaContracts    whether 0 &lt; α and 1 − αm &lt; 1, or null
     */
    public record Terms(double lipschitzH, double margin, double lambda, Double normA, Double operatorTerm,
                        double monotoneTerm, String bindingTerm, Double alpha, double alphaLimit,
                        Double contractionFactor, Boolean alphaContracts) {
    }

    public String describe(double normA) {
        return String.format(java.util.Locale.ROOT,
                "MOL monotone fixed point: ||dx|| <= min(lambda ||A|| / m, sqrt(lambda/m) / 2) ||db|| = min(%.4g, %.4g)"
                        + " (%s binds); m = 1 - L(H) = %.4g with L(H) <= %.6g proven (product of per-layer DFT norm"
                        + " bounds), lambda = %.4g",
                operatorTerm(normA), monotoneTerm(), binding(normA).equals("lambda_norm_a_over_m")
                        ? "lambda ||A|| / m" : "sqrt(lambda/m) / 2", margin(), lipschitzH, lambda);
    }
}
