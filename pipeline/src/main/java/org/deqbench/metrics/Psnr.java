package org.deqbench.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Peak signal-to-noise ratio, as in the fastMRI evaluation ({@code skimage.metrics
 * .peak_signal_noise_ratio} with {@code data_range = max(target)}):
 * <pre>
 *   PSNR = 10 · log10( R² / MSE ),   MSE = (1/n) Σ_i (x_i − x̂_i)²,   R = max_i x_i
 * </pre>
 * over all n voxels of the metric images ({@link MagnitudeImage}: magnitudes of complex images)
 * of the target x and the reconstruction x̂. A perfect reconstruction gives +∞.
 */
public final class Psnr {
    private Psnr() {
    }

    /** PSNR in dB with the data range taken from the target. */
    public static double of(MagnitudeImage target, MagnitudeImage recon) {
        return of(target, recon, dataRange(target));
    }

    /** PSNR in dB with an explicit data range R > 0. */
    public static double of(MagnitudeImage target, MagnitudeImage recon, double dataRange) {
        target.requireSameSize(recon, "PSNR");
        if (!(dataRange > 0)) {
            throw new IllegalArgumentException("PSNR needs a data range > 0, found " + dataRange);
        }
        double[] x = target.values();
        double[] y = recon.values();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - y[i];
            sum += d * d;
        }
        double mse = sum / x.length;
        return 10 * Math.log10(dataRange * dataRange / mse);
    }

    /** PSNR in dB of two images {@code [C, H, W]} or {@code [C, T, H, W]}. */
    public static double of(INDArray target, INDArray recon) {
        return of(MagnitudeImage.of(target), MagnitudeImage.of(recon));
    }

    /** max(target), the fastMRI data range; throws if it is not positive (an all-zero target). */
    static double dataRange(MagnitudeImage target) {
        double r = target.max();
        if (!(r > 0)) {
            throw new IllegalArgumentException("the target image's maximum is " + r
                    + "; PSNR and SSIM use data_range = max(target) and need it > 0 (is the target all zero?)");
        }
        return r;
    }
}
