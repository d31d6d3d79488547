package org.deqbench.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Structural similarity (Wang, Bovik, Sheikh, Simoncelli, "Image quality assessment: from error
 * visibility to structural similarity", IEEE TIP 2004), computed exactly as the fastMRI evaluation
 * does with {@code skimage.metrics.structural_similarity(x, x̂, win_size=7, data_range=max(x))}.
 *
 * <p>For each 7×7 window w (uniform weights, N = 49 pixels) with means μ_x, μ_y, sample variances
 * and covariance (N/(N−1) correction, {@code use_sample_covariance=True})
 * <pre>
 *   σ_x² = N/(N−1) · (mean_w(x²) − μ_x²),  σ_y² likewise,  σ_xy = N/(N−1) · (mean_w(x·y) − μ_x μ_y)
 *   S(w) = (2 μ_x μ_y + C1)(2 σ_xy + C2) / ((μ_x² + μ_y² + C1)(σ_x² + σ_y² + C2))
 *   C1 = (K1 R)²,  C2 = (K2 R)²,  K1 = {@value #K1},  K2 = {@value #K2},  R = max(target)
 * </pre>
 * and SSIM is the mean of S over the windows lying entirely inside the image: scikit-image filters
 * with padding and then crops (win_size − 1)/2 = 3 pixels from every side, so only the
 * (H − 6)·(W − 6) window centres whose window needs no padding count. Images must be at least 7×7.
 *
 * <p>Time series and volumes {@code [C, T, H, W]}: the mean over the T frames of the 2D SSIM, each
 * with the data range R = max of the whole target volume (fastMRI's per-volume convention).
 */
public final class Ssim {
    /** Window side length (uniform window). */
    public static final int WINDOW = 7;
    /** Luminance stabiliser constant. */
    public static final double K1 = 0.01;
    /** Contrast stabiliser constant. */
    public static final double K2 = 0.03;

    private Ssim() {
    }

    /** SSIM with the data range taken from the target (max over all frames). */
    public static double of(MagnitudeImage target, MagnitudeImage recon) {
        return of(target, recon, Psnr.dataRange(target));
    }

    /** SSIM with an explicit data range R > 0: mean over frames of {@link #frame}. */
    public static double of(MagnitudeImage target, MagnitudeImage recon, double dataRange) {
        target.requireSameSize(recon, "SSIM");
        double sum = 0;
        for (int t = 0; t < target.frames(); t++) {
            sum += frame(target.frame(t), recon.frame(t), target.height(), target.width(), dataRange);
        }
        return sum / target.frames();
    }

    /** SSIM of two images {@code [C, H, W]} or {@code [C, T, H, W]}. */
    public static double of(INDArray target, INDArray recon) {
        return of(MagnitudeImage.of(target), MagnitudeImage.of(recon));
    }

    /**
     * 2D SSIM of two row-major H×W images.
     *
     * @param dataRange R in C1 = (K1 R)², C2 = (K2 R)²; must be &gt; 0
     */
    public static double frame(double[] x, double[] y, int height, int width, double dataRange) {
        if (height < WINDOW || width < WINDOW) {
            throw new IllegalArgumentException("SSIM with a " + WINDOW + "×" + WINDOW + " window needs images of at least "
                    + WINDOW + "×" + WINDOW + ", found " + height + "×" + width);
        }
        if (x.length != height * width || y.length != height * width) {
            throw new IllegalArgumentException("expected " + height * width + " pixels, found " + x.length + " and " + y.length);
        }
        if (!(dataRange > 0)) {
            throw new IllegalArgumentException("SSIM needs a data range > 0, found " + dataRange);
        }
        int pad = (WINDOW - 1) / 2;
        int vh = height - 2 * pad;
        int vw = width - 2 * pad;
        // Window sums over valid centres only, separably: first along rows, then along columns.
        double[] xx = new double[x.length];
        double[] yy = new double[x.length];
        double[] xy = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] sx = boxSums(x, height, width);
        double[] sy = boxSums(y, height, width);
        double[] sxx = boxSums(xx, height, width);
        double[] syy = boxSums(yy, height, width);
        double[] sxy = boxSums(xy, height, width);
        double np = WINDOW * WINDOW;
        double covNorm = np / (np - 1);
        double c1 = (K1 * dataRange) * (K1 * dataRange);
        double c2 = (K2 * dataRange) * (K2 * dataRange);
        double total = 0;
        for (int i = 0; i < vh * vw; i++) {
            double ux = sx[i] / np;
            double uy = sy[i] / np;
            double vx = covNorm * (sxx[i] / np - ux * ux);
            double vy = covNorm * (syy[i] / np - uy * uy);
            double vxy = covNorm * (sxy[i] / np - ux * uy);
            double a1 = 2 * ux * uy + c1;
            double a2 = 2 * vxy + c2;
            double b1 = ux * ux + uy * uy + c1;
            double b2 = vx + vy + c2;
            total += (a1 * a2) / (b1 * b2);
        }
        return total / (vh * vw);
    }

    /** Sums over every WINDOW×WINDOW window fully inside the image, as a (H−6)×(W−6) row-major array. */
    private static double[] boxSums(double[] v, int height, int width) {
        int vw = width - WINDOW + 1;
        int vh = height - WINDOW + 1;
        double[] rows = new double[height * vw];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < vw; c++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) {
                    s += v[r * width + c + k];
                }
                rows[r * vw + c] = s;
            }
        }
        double[] out = new double[vh * vw];
        for (int r = 0; r < vh; r++) {
            for (int c = 0; c < vw; c++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) {
                    s += rows[(r + k) * vw + c];
                }
                out[r * vw + c] = s;
            }
        }
        return out;
    }
}
