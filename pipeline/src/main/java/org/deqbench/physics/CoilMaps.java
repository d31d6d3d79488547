package org.deqbench.physics;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Simulated receive-coil sensitivity maps {@code [coils, 2, H, W]} (or {@code [coils, 2, D, H, W]}).
 *
 * <p>Coil c sits at angle θ_c = 2πc/C + jitter on a circle of radius ρ around the image centre
 * (normalised coordinates u, v ∈ [−1, 1]) and sees a Gaussian profile with a smooth linear phase:
 * <pre>
 *   s_c(u, v) = exp(−((u − ρ cos θ_c)² + (v − ρ sin θ_c)²) / (2 σ²)) · exp(i (φ_c + a_c u + b_c v))
 *   S_c       = s_c / sqrt(Σ_c' |s_c'|²)        so that  Σ_c |S_c|² = 1 at every pixel.
 * </pre>
 * The normalisation makes S^H S = I, so ‖A‖ ≤ 1 for A = M F S and the SENSE model has no
 * preferred scale (the convention of the MoDL and MOL data sets). One coil gives S = 1.
 */
public final class CoilMaps {
    /** Radius of the coil circle and width of each coil's profile, in units of the half image size. */
    static final double RADIUS = 1.2;
    static final double SIGMA = 0.45;

    private CoilMaps() {
    }

    /** Maps for one 2D example, C-order {@code [coils, 2, H, W]} values in double precision. */
    public static double[] simulateValues(int coils, int h, int w, Random rng) {
        return simulateVolumeValues(coils, 1, h, w, rng);
    }

    /**
     * Maps for one volume, C-order {@code [coils, 2, D, H, W]} (D = 1: a 2D slice). In 3D the coils
     * form two rings at depth t = ±0.6 (alternating, when there are 4 or more) around the volume,
     * and the profile is the 3D Gaussian exp(−‖(u, v, t) − centre_c‖² / (2σ²)); the phase gains a
     * term linear in t.
     */
    public static double[] simulateVolumeValues(int coils, int d, int h, int w, Random rng) {
        if (coils < 1) {
            throw new IllegalArgumentException("coils (mri.coils) must be ≥ 1, found " + coils);
        }
        int plane = d * h * w;
        double[] s = new double[coils * 2 * plane];
        if (coils == 1) {
            java.util.Arrays.fill(s, 0, plane, 1.0);
            return s;
        }
        double[] cx = new double[coils];
        double[] cy = new double[coils];
        double[] cz = new double[coils];
        double[] phi = new double[coils];
        double[] a = new double[coils];
        double[] b = new double[coils];
        double[] e = new double[coils];
        for (int c = 0; c < coils; c++) {
            double theta = 2 * Math.PI * (c + 0.3 * (rng.nextDouble() - 0.5)) / coils;
            cx[c] = RADIUS * Math.cos(theta);
            cy[c] = RADIUS * Math.sin(theta);
            cz[c] = d > 1 && coils >= 4 ? (c % 2 == 0 ? 0.6 : -0.6) : 0;
            phi[c] = 2 * Math.PI * rng.nextDouble();
            a[c] = (rng.nextDouble() - 0.5) * Math.PI / 2;
            b[c] = (rng.nextDouble() - 0.5) * Math.PI / 2;
            e[c] = d > 1 ? (rng.nextDouble() - 0.5) * Math.PI / 2 : 0;
        }
        double[] norm = new double[plane];
        for (int c = 0; c < coils; c++) {
            for (int z = 0; z < d; z++) {
                double t = d == 1 ? 0 : 2.0 * z / (d - 1) - 1;
                for (int r = 0; r < h; r++) {
                    double v = h == 1 ? 0 : 2.0 * r / (h - 1) - 1;
                    for (int q = 0; q < w; q++) {
                        double u = w == 1 ? 0 : 2.0 * q / (w - 1) - 1;
                        double d2 = (u - cx[c]) * (u - cx[c]) + (v - cy[c]) * (v - cy[c]) + (t - cz[c]) * (t - cz[c]);
                        double mag = Math.exp(-d2 / (2 * SIGMA * SIGMA));
                        double ph = phi[c] + a[c] * u + b[c] * v + e[c] * t;
                        int i = (z * h + r) * w + q;
                        s[c * 2 * plane + i] = mag * Math.cos(ph);
                        s[c * 2 * plane + plane + i] = mag * Math.sin(ph);
                        norm[i] += mag * mag;
                    }
                }
            }
        }
        for (int i = 0; i < plane; i++) {
            double n = 1 / Math.sqrt(norm[i]);
            for (int c = 0; c < coils; c++) {
                s[c * 2 * plane + i] *= n;
                s[c * 2 * plane + plane + i] *= n;
            }
        }
        return s;
    }

    /** {@link #simulateValues} as an array {@code [coils, 2, H, W]} of {@code type}. */
    public static INDArray simulate(int coils, int h, int w, Random rng, DataType type) {
        return HostArrays.fromDouble(simulateValues(coils, h, w, rng), new long[] {coils, 2, h, w}, type);
    }
}
