package org.deqbench.spec;

/**
 * Certification settings.
 *
 * @param powerIterations power-iteration cap
 * @param tolerance       stop when the estimate's relative change is below this
 * @param images          test examples certified (the bound is the maximum over them)
 */
public record CertifySpec(Integer powerIterations, Double tolerance, Integer images) {
    public static final CertifySpec DEFAULT = new CertifySpec(null, null, null);

    public CertifySpec {
        powerIterations = powerIterations == null ? 100 : powerIterations;
        tolerance = tolerance == null ? 1e-6 : tolerance;
        images = images == null ? 2 : images;
    }
}
