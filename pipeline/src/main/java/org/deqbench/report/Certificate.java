package org.deqbench.report;

/**
 * A method's Lipschitz result as read from {@code certify/<task>/<method>/certificate.json}.
 * Only {@code kind = "certificate"} is a guaranteed upper bound; an {@code "estimate"} is
 * reported as such and never called a certificate.
 *
 * @param upper            {@code lipschitz_upper}: bound (or estimate) of the network's Lipschitz
 *                         constant L, or null
 * @param lower            {@code lipschitz_lower}: empirical lower bound (power iteration on JᵀJ,
 *                         adversarial ascent), or null when not computed
 * @param kind             {@code "certificate"} or {@code "estimate"}, or null when absent
 * @param margin           {@code monotonicity_margin} m = 1 − L when written upstream, else
 *                         derived from {@code upper} for certificates below 1, else null
 * @param robustnessFactor {@code robustness_factor}: the certified bound on ‖Δx‖/‖δ‖, or null
 */
public record Certificate(Double upper, Double lower, String kind, Double margin, Double robustnessFactor) {
    /** Nothing was certified or estimated. */
    public static final Certificate NONE = new Certificate(null, null, null, null, null);

    /** Whether this is a guaranteed bound (as opposed to an estimate or nothing). */
    public boolean isCertificate() {
        return "certificate".equals(kind);
    }
}
