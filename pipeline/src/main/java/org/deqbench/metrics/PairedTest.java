package org.deqbench.metrics;

import org.apache.commons.math3.stat.inference.TTest;
import org.apache.commons.math3.stat.inference.WilcoxonSignedRankTest;

/**
 * Paired comparison of two methods scored on the same test images: per-image differences
 * d_i = a_i − b_i (i = 1 … n) and two two-sided tests of "no difference" (Apache Commons Math):
 * <ul>
 *   <li>paired Student t-test: t = d̄ / (s_d / √n) with n − 1 degrees of freedom, H0: E[d] = 0
 *       (assumes roughly normal differences);</li>
 *   <li>Wilcoxon signed-rank test: W = Σ rank(|d_i|) over positive d_i, H0: d symmetric about 0,
 *       exact distribution for n ≤ 30, normal approximation beyond (no normality assumption).</li>
 * </ul>
 * Pairing removes the variation between images that both methods share, so it detects a
 * consistent difference that overlapping per-method intervals hide. With n = 2 no p-value can fall
 * below 0.5 under Wilcoxon; small test splits cannot show significance however large the gap.
 * A p-value is null when the test is undefined: fewer than two images, a non-finite score (a
 * perfect reconstruction's PSNR is +∞), or (t-test) identical differences on every image.
 *
 * @param n              number of image pairs
 * @param meanDifference mean of a_i − b_i (NaN when some score is not finite)
 * @param tTestP         two-sided p-value of the paired t-test, or null
 * @param wilcoxonP      two-sided p-value of the Wilcoxon signed-rank test, or null
 */
public record PairedTest(int n, double meanDifference, Double tTestP, Double wilcoxonP) {
    /** Largest n for which the Wilcoxon p-value is computed exactly. */
    static final int EXACT_WILCOXON_MAX = 30;

    /** Tests a against b, image by image. */
    public static PairedTest of(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired test needs the same images for both methods, found "
                    + a.length + " and " + b.length + " scores");
        }
        int n = a.length;
        boolean finite = true;
        double sum = 0;
        boolean allZero = true;
        for (int i = 0; i < n; i++) {
            finite &= Double.isFinite(a[i]) && Double.isFinite(b[i]);
            sum += a[i] - b[i];
            allZero &= a[i] == b[i];
        }
        double mean = n == 0 || !finite ? Double.NaN : sum / n;
        if (n < 2 || !finite) {
            return new PairedTest(n, mean, null, null);
        }
        Double t = pValue(() -> new TTest().pairedTTest(a, b));
        Double w = allZero ? Double.valueOf(1.0)
                : pValue(() -> new WilcoxonSignedRankTest().wilcoxonSignedRankTest(a, b, n <= EXACT_WILCOXON_MAX));
        return new PairedTest(n, mean, t, w);
    }

    private static Double pValue(java.util.function.DoubleSupplier test) {
        try {
            double p = test.getAsDouble();
            return Double.isFinite(p) ? Math.min(1.0, Math.max(0.0, p)) : null;
        } catch (RuntimeException e) {
            return null; // Commons Math rejects degenerate samples (e.g. zero variance): no p-value
        }
    }
}
