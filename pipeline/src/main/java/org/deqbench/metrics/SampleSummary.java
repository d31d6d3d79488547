package org.deqbench.metrics;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * Mean of a metric over the images of a test split, with a two-sided Student-t confidence
 * interval:
 * <pre>
 *   x̄ ± t_{(1+c)/2, n−1} · s / √n,    s² = Σ (x_i − x̄)² / (n − 1)
 * </pre>
 * (c = 0.95 by default). The interval treats the test images as an i.i.d. sample; it says how
 * precisely the split estimates the method's mean score, not how much the score varies between
 * images (that is s). With fewer than two values, or non-finite ones (a perfect reconstruction has
 * PSNR +∞), {@link #lower()} and {@link #upper()} are NaN.
 *
 * @param n          number of values
 * @param mean       x̄ (NaN when n = 0)
 * @param std        sample standard deviation s (NaN when n &lt; 2)
 * @param lower      lower end of the interval
 * @param upper      upper end of the interval
 * @param confidence c, e.g. 0.95
 */
public record SampleSummary(int n, double mean, double std, double lower, double upper, double confidence) {
    /** The confidence level used in reports. */
    public static final double CONFIDENCE_95 = 0.95;

    /** Mean and 95 % interval. */
    public static SampleSummary of(double[] values) {
        return of(values, CONFIDENCE_95);
    }

    /** Mean and a two-sided interval at the given confidence level in (0, 1). */
    public static SampleSummary of(double[] values, double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence level must be in (0, 1), found " + confidence);
        }
        SummaryStatistics stats = new SummaryStatistics();
        for (double v : values) {
            stats.addValue(v);
        }
        int n = values.length;
        double mean = n == 0 ? Double.NaN : stats.getMean();
        double std = n < 2 ? Double.NaN : stats.getStandardDeviation();
        if (n < 2 || !Double.isFinite(mean) || !Double.isFinite(std)) {
            return new SampleSummary(n, mean, std, Double.NaN, Double.NaN, confidence);
        }
        double t = new TDistribution(n - 1).inverseCumulativeProbability(0.5 + confidence / 2);
        double half = t * std / Math.sqrt(n);
        return new SampleSummary(n, mean, std, mean - half, mean + half, confidence);
    }

    /**
     * The same summary with its interval clipped to the values the metric can take, e.g. [−1, 1]
     * for SSIM, [0, ∞) for NMSE: with few images the Student-t interval can reach beyond them,
     * and the truth cannot lie there. The interval stays a valid (conservative within the range)
     * confidence set for the mean; it is no longer symmetric about it.
     */
    public SampleSummary clippedTo(double min, double max) {
        if (!(min < max)) {
            throw new IllegalArgumentException("metric range must have min < max, found [" + min + ", " + max + "]");
        }
        if (Double.isNaN(lower)) {
            return this;
        }
        return new SampleSummary(n, mean, std, Math.max(lower, min), Math.min(upper, max), confidence);
    }

    /** Half-width of the interval (NaN when there is none). */
    public double halfWidth() {
        return (upper - lower) / 2;
    }
}
