package org.deqbench.report;

/**
 * A method's Lipschitz result as read from {@code certify/<task>/<method>/certificate.json}.
 * Only {@code kind = "certificate"} is a guaranteed upper bound; an {@code "estimate"} is
 * reported as such and never called a certificate.
 *
 * @param upper            {@code lipschitz_upper}: proven bound (or estimate) of the Lipschitz
 *                         constant the certify stage states in {@code bound}, or null
 * @param lower            {@code lipschitz_lower}: empirical lower bound (power iteration, adversarial
 *                         ascent), or null when not computed
 * @param kind             {@code "certificate"} or {@code "estimate"}, or null when absent
 * @param margin           {@code monotonicity_margin} m = 1 − L of an equilibrium method's network,
 *                         when the certify stage writes one, else null
 * @param robustnessFactor {@code robustness_factor}: a bound on ‖Δx‖/‖δ‖ when it differs from
 *                         {@code upper} (MOL: min(λ‖A‖/m, ½√(λ/m))), or null
 * @param basis            {@code bound}: how the upper bound was derived, or null
 */
public record Certificate(Double upper, Double lower, String kind, Double margin, Double robustnessFactor,
                          String basis) {
    /** Nothing was certified or estimated. */
    public static final Certificate NONE = new Certificate(null, null, null, null, null, null);

    /** Whether this is a guaranteed bound (as opposed to an estimate or nothing). */
    public boolean isCertificate() {
        return "certificate".equals(kind);
    }

    /**
     * The certified bound on the attack amplification ‖Δx‖/‖δ‖: the robustness factor when given,
     * else a proven {@code lipschitz_upper} (the Lipschitz constant of b ↦ x̂ bounds it), else null.
     */
    public Double amplificationBound() {
        if (robustnessFactor != null) {
            return robustnessFactor;
        }
        return isCertificate() ? upper : null;
    }
}
