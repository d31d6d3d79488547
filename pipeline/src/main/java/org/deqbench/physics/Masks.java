package org.deqbench.physics;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * k-space sampling masks {@code [H, W]} (1 = sampled, 0 = not), in the centred layout of
 * {@link Fft2} (DC at {@code [floor(H/2), floor(W/2)]}).
 */
public final class Masks {
    private Masks() {
    }

    /**
     * Cartesian undersampling of phase-encode lines (columns; every row of a sampled column is
     * read out), as in fastMRI's random masks and MoDL/MOL's data: the {@code round(W·centreFraction)}
     * central columns are always sampled (at least the DC column), and further columns are drawn
     * uniformly without replacement until {@code max(centre, round(W / R))} columns are sampled, so
     * the acceleration is exactly R up to rounding.
     *
     * @param acceleration   R ≥ 1
     * @param centreFraction fraction in [0, 1] of central columns always sampled
     */
    public static double[] cartesianColumns(int h, int w, double acceleration, double centreFraction, Random rng) {
        if (!(acceleration >= 1)) {
            throw new IllegalArgumentException("acceleration (mri.acceleration) must be ≥ 1, found " + acceleration);
        }
        if (!(centreFraction >= 0 && centreFraction <= 1)) {
            throw new IllegalArgumentException("centre fraction (mri.centre_fraction) must be in [0, 1], found "
                    + centreFraction);
        }
        boolean[] col = new boolean[w];
        int centre = Math.max(1, (int) Math.round(w * centreFraction));
        int start = w / 2 - centre / 2;
        for (int c = start; c < start + centre; c++) {
            col[c] = true;
        }
        int target = Math.max(centre, (int) Math.round(w / acceleration));
        int[] rest = new int[w - centre];
        int k = 0;
        for (int c = 0; c < w; c++) {
            if (!col[c]) {
                rest[k++] = c;
            }
        }
        // partial Fisher–Yates: the first (target − centre) entries become a uniform random subset
        for (int i = 0; i < target - centre; i++) {
            int j = i + rng.nextInt(rest.length - i);
            int t = rest[i];
            rest[i] = rest[j];
            rest[j] = t;
            col[rest[i]] = true;
        }
        double[] m = new double[h * w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                m[r * w + c] = col[c] ? 1 : 0;
            }
        }
        return m;
    }

    /** {@link #cartesianColumns} as a float32 array {@code [H, W]}. */
    public static INDArray cartesian(int h, int w, double acceleration, double centreFraction, Random rng) {
        return HostArrays.fromDouble(cartesianColumns(h, w, acceleration, centreFraction, rng),
                new long[] {h, w}, DataType.FLOAT);
    }

    /** Fraction of entries sampled. */
    public static double samplingRatio(double[] mask) {
        double s = 0;
        for (double v : mask) {
            s += v != 0 ? 1 : 0;
        }
        return s / mask.length;
    }
}
