package org.deqbench.metrics;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * PSNR (dB), SSIM and NMSE of one reconstruction against its target, with the conventions of
 * {@link Psnr}, {@link Ssim} and {@link Nmse}: magnitude images for complex data,
 * data_range = max of the target.
 */
@JsonPropertyOrder({"psnr", "ssim", "nmse"})
public record ImageScores(double psnr, double ssim, double nmse) {

    /** Scores of one image pair. */
    public static ImageScores of(MagnitudeImage target, MagnitudeImage recon) {
        double range = Psnr.dataRange(target);
        return new ImageScores(Psnr.of(target, recon, range), Ssim.of(target, recon, range), Nmse.of(target, recon));
    }

    /** Scores of one image pair {@code [C, H, W]} or {@code [C, T, H, W]}. */
    public static ImageScores of(INDArray target, INDArray recon) {
        return of(MagnitudeImage.of(target), MagnitudeImage.of(recon));
    }

    /**
     * Scores of every image of two batches {@code [N, C, H, W]} or {@code [N, C, T, H, W]}, in
     * batch order.
     */
    public static List<ImageScores> perImage(INDArray targets, INDArray recons) {
        if (!Arrays.equals(targets.shape(), recons.shape())) {
            throw new IllegalArgumentException("target batch has shape " + Arrays.toString(targets.shape())
                    + " but the reconstructions have shape " + Arrays.toString(recons.shape()));
        }
        if (targets.rank() != 4 && targets.rank() != 5) {
            throw new IllegalArgumentException("expected a batch [N, C, H, W] or [N, C, T, H, W], found shape "
                    + Arrays.toString(targets.shape()));
        }
        List<ImageScores> out = new ArrayList<>();
        for (long i = 0; i < targets.size(0); i++) {
            out.add(of(image(targets, i), image(recons, i)));
        }
        return out;
    }

    /** Image {@code i} of a batch, without the batch axis. */
    static INDArray image(INDArray batch, long i) {
        return batch.get(NDArrayIndex.point(i));
    }
}
