package org.deqbench.report;

import org.deqbench.metrics.ImageScores;

/**
 * The three image-quality metrics of the report, with the direction in which they improve and the
 * values they can take (intervals are clipped to that range).
 */
public enum Metric {
    PSNR("psnr", true, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
    SSIM("ssim", true, -1, 1),
    NMSE("nmse", false, 0, Double.POSITIVE_INFINITY);

    private final String key;
    private final boolean higherIsBetter;
    private final double min;
    private final double max;

    Metric(String key, boolean higherIsBetter, double min, double max) {
        this.key = key;
        this.higherIsBetter = higherIsBetter;
        this.min = min;
        this.max = max;
    }

    /** Lower-case name as in summary.json and the CSV columns. */
    public String key() {
        return key;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** This metric's score of one image. */
    public double of(ImageScores s) {
        return switch (this) {
            case PSNR -> s.psnr();
            case SSIM -> s.ssim();
            case NMSE -> s.nmse();
        };
    }
}
