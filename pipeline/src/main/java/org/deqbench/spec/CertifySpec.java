package org.deqbench.spec;

/**
 * Certification settings.
 *
 * @param powerIterations power-iteration cap
 * @param tolerance       stop when the estimate's relative change is below this
 */
public record CertifySpec(Integer powerIterations, Double tolerance) {
    public static final CertifySpec DEFAULT = new CertifySpec(null, null);

    public CertifySpec {
        powerIterations = powerIterations == null ? 100 : powerIterations;
        tolerance = tolerance == null ? 1e-6 : tolerance;
    }
}
