package org.deqbench.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One ε of an attack sweep ({@code attack/<task>/<method>/attack.json}): the amplification
 * ‖f(b + δ) − f(b)‖ / ‖δ‖ of the worst perturbation found with ‖δ‖ ≤ ε‖b‖ and of Gaussian noise of the
 * same norm, and whether the worst case stayed within the certified bound.
 *
 * @param eps                   relative perturbation size ε
 * @param amplificationWorst    amplification of the adversarial perturbation
 * @param amplificationGaussian amplification of Gaussian noise with the same norm, or null
 * @param withinCertificate     the attack stage's verdict, or null when there is no certificate
 * @param certifiedBound        the certified amplification bound this point is compared against,
 *                              or null when none is known
 */
@JsonPropertyOrder({"eps", "amplification_worst", "amplification_gaussian", "within_certificate", "certified_bound"})
public record AttackPoint(
        @JsonProperty("eps") double eps,
        @JsonProperty("amplification_worst") Double amplificationWorst,
        @JsonProperty("amplification_gaussian") Double amplificationGaussian,
        @JsonProperty("within_certificate") Boolean withinCertificate,
        @JsonProperty("certified_bound") Double certifiedBound) {

    /**
     * Whether this point breaks the certificate: the attack stage said so, or (when it gave no
     * verdict) the worst amplification exceeds the known bound.
     */
    public boolean violatesCertificate() {
        if (withinCertificate != null) {
            return !withinCertificate;
        }
        return certifiedBound != null && amplificationWorst != null && amplificationWorst > certifiedBound;
    }
}
