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

    /**
     * 2D variable-density random sampling (compressed-sensing MRI as in ELDER, Zou et al. 2023):
     * exactly {@code K = round(ratio · H W)} k-space points. The central block of
     * {@code max(1, round(centreFraction·H)) × max(1, round(centreFraction·W))} points around DC is
     * taken first (closest to DC first if K is smaller); the others are drawn without replacement
     * with probability weights (1 − r)² + 0.001, r ∈ [0, 1] the normalised distance to DC
     * (weighted sampling by Efraimidis–Spirakis keys log(u)/weight).
     *
     * @param ratio fraction of k-space sampled, in (0, 1], with K ≥ 1
     */
    public static double[] variableDensity(int h, int w, double ratio, double centreFraction, Random rng) {
        int k = (int) Math.round(ratio * h * w);
        if (!(ratio > 0 && ratio <= 1) || k < 1) {
            throw new IllegalArgumentException("sampling ratio (mri.sampling_ratio) " + ratio + " samples "
                    + Math.max(k, 0) + " of " + h + "x" + w + " k-space points; expected a fraction in (0, 1] "
                    + "sampling at least one point");
        }
        if (!(centreFraction >= 0 && centreFraction <= 1)) {
            throw new IllegalArgumentException("centre fraction (mri.centre_fraction) must be in [0, 1], found "
                    + centreFraction);
        }
        int ch = Math.max(1, (int) Math.round(centreFraction * h));
        int cw = Math.max(1, (int) Math.round(centreFraction * w));
        int r0 = h / 2 - ch / 2;
        int c0 = w / 2 - cw / 2;
        double[] key = new double[h * w];
        Integer[] order = new Integer[h * w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double dy = (r - h / 2) / Math.max(1.0, h / 2.0);
                double dx = (c - w / 2) / Math.max(1.0, w / 2.0);
                double dist = Math.min(1, Math.sqrt(dy * dy + dx * dx) / Math.sqrt(2));
                double u = rng.nextDouble();
                boolean centre = r >= r0 && r < r0 + ch && c >= c0 && c < c0 + cw;
                double weight = (1 - dist) * (1 - dist) + 0.001;
                // centre points rank above all others, nearest to DC first
                key[r * w + c] = centre ? 1e9 - dist : Math.log(u) / weight;
                order[r * w + c] = r * w + c;
            }
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(key[b], key[a]) != 0
                ? Double.compare(key[b], key[a]) : Integer.compare(a, b));
        double[] m = new double[h * w];
        for (int i = 0; i < k; i++) {
            m[order[i]] = 1;
        }
        return m;
    }

    /**
     * A 3D Cartesian mask {@code [D, H, W]}: readout along H fully sampled, the phase-encode
     * plane (D, W) sampled with {@link #variableDensity} at {@code ratio}.
     */
    public static double[] phaseEncodePlane(int d, int h, int w, double ratio, double centreFraction, Random rng) {
        double[] plane = variableDensity(d, w, ratio, centreFraction, rng);
        double[] m = new double[d * h * w];
        for (int z = 0; z < d; z++) {
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    m[(z * h + r) * w + c] = plane[z * w + c];
                }
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
