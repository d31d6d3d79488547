package org.deqbench.spec;

/**
 * Additive white Gaussian measurement noise.
 *
 * @param sigma standard deviation of each real component (ground truth is scaled to max 1)
 */
public record NoiseSpec(Double sigma) {
    public static final NoiseSpec DEFAULT = new NoiseSpec(null);

    public NoiseSpec {
        sigma = sigma == null ? 0.0 : sigma;
    }
}
