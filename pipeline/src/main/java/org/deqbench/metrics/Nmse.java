package org.deqbench.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Normalised mean squared error, as in the fastMRI evaluation:
 * <pre>
 *   NMSE = ‖x − x̂‖² / ‖x‖²
 * </pre>
 * over all voxels of the metric images ({@link MagnitudeImage}) of target x and reconstruction x̂.
 * Lower is better; 0 for a perfect reconstruction, 1 for x̂ = 0.
 */
public final class Nmse {
    private Nmse() {
    }

    public static double of(MagnitudeImage target, MagnitudeImage recon) {
        target.requireSameSize(recon, "NMSE");
        double[] x = target.values();
        double[] y = recon.values();
        double err = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - y[i];
            err += d * d;
            norm += x[i] * x[i];
        }
        if (!(norm > 0)) {
            throw new IllegalArgumentException("NMSE is undefined for an all-zero target image");
        }
        return err / norm;
    }

    /** NMSE of two images {@code [C, H, W]} or {@code [C, T, H, W]}. */
    public static double of(INDArray target, INDArray recon) {
        return of(MagnitudeImage.of(target), MagnitudeImage.of(recon));
    }
}
