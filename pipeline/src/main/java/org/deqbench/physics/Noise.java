package org.deqbench.physics;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Additive white Gaussian measurement noise, b = A x + n.
 *
 * <p>Real problems: n ~ N(0, σ²) per entry. Complex problems (two real channels): the real and
 * the imaginary part are independent N(0, σ²), so E|n|² = 2σ² per complex entry — σ is the
 * standard deviation <em>per real component</em>, as in {@code noise.sigma} of the spec. Noise is
 * only added where something is measured (e.g. sampled k-space), so
 * E‖b − A x‖² = σ² · (number of measured real entries).
 *
 * <p>Each example draws from its own stream, {@link #stream}, seeded from the experiment seed and
 * the label (task, split, "noise", index).
 */
public final class Noise {
    private Noise() {
    }

    /** The noise stream of one example. */
    public static Random stream(long experimentSeed, String task, String split, long index) {
        return Seeds.random(experimentSeed, task, split, "noise", index);
    }

    /** {@code n} independent N(0, σ²) draws. */
    public static double[] gaussianValues(int n, double sigma, Random rng) {
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("noise standard deviation (noise.sigma) must be ≥ 0, found " + sigma);
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = sigma * rng.nextGaussian();
        }
        return v;
    }

    /** White Gaussian noise of {@code shape} (real, or complex as two real channels). */
    public static INDArray gaussian(long[] shape, double sigma, Random rng, DataType type) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return HostArrays.fromDouble(gaussianValues(Math.toIntExact(n), sigma, rng), shape, type);
    }

    /**
     * Adds N(0, σ²) to the entries of {@code y} (modified in place) where {@code support} is
     * non-zero. {@code support} covers the trailing axes of {@code y} and is broadcast over the
     * leading ones: entry i uses {@code support[i % support.length]} (e.g. a k-space mask [H, W]
     * for measurements [coils, 2, H, W]). {@code null} adds noise everywhere. One draw is consumed
     * per entry either way, so the noise on measured entries does not depend on the mask.
     */
    public static void addInPlace(double[] y, double sigma, Random rng, double[] support) {
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("noise standard deviation (noise.sigma) must be ≥ 0, found " + sigma);
        }
        for (int i = 0; i < y.length; i++) {
            double g = rng.nextGaussian();
            if (support == null || support[i % support.length] != 0) {
                y[i] += sigma * g;
            }
        }
    }
}
