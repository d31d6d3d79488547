package org.deqbench.physics;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inpainting, A x = m ⊙ x with a per-example pixel mask m ∈ {0, 1} shared by the channels
 * (missing pixels read as 0). A is a diagonal projection: A^H = A = A^H A.
 *
 * <p>Shapes: domain = range = {@code [C, H, W]}; masks {@code [B, H, W]} (B = 1: shared).
 */
public final class Inpainting implements LinearOperator {
    private final int batch;
    private final int channels;
    private final int h;
    private final int w;
    private final double[] masks;

    public Inpainting(INDArray masks, int channels) {
        long[] ms = masks.shape();
        if (ms.length != 3) {
            throw new IllegalArgumentException("inpainting masks must be [B, H, W], found " + Arrays.toString(ms));
        }
        this.batch = Math.toIntExact(ms[0]);
        this.h = Math.toIntExact(ms[1]);
        this.w = Math.toIntExact(ms[2]);
        this.channels = channels;
        this.masks = HostArrays.toDouble(masks);
    }

    /**
     * A random mask {@code [H, W]} with exactly {@code round(missingRatio · H W)} pixels missing,
     * chosen uniformly.
     */
    public static double[] randomMask(int h, int w, double missingRatio, java.util.Random rng) {
        if (!(missingRatio >= 0 && missingRatio < 1)) {
            throw new IllegalArgumentException("missing ratio (missing_ratio) must be in [0, 1), found " + missingRatio);
        }
        int n = h * w;
        int missing = (int) Math.round(missingRatio * n);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        double[] m = new double[n];
        Arrays.fill(m, 1);
        for (int i = 0; i < missing; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            m[idx[i]] = 0;
        }
        return m;
    }

    @Override
    public long[] domainShape() {
        return new long[] {channels, h, w};
    }

    @Override
    public long[] rangeShape() {
        return domainShape();
    }

    @Override
    public INDArray apply(INDArray x) {
        long[] s = x.shape();
        if (!HostArrays.isBatchOf(s, domainShape()) || (batch != 1 && s[0] != batch)) {
            throw new IllegalArgumentException(describe() + " expects " + HostArrays.batchShape(domainShape())
                    + " with B = " + batch + ", found " + Arrays.toString(s));
        }
        double[] v = HostArrays.toDouble(x);
        int hw = h * w;
        for (int b = 0; b < s[0]; b++) {
            int mo = (batch == 1 ? 0 : b) * hw;
            for (int c = 0; c < channels; c++) {
                int off = (b * channels + c) * hw;
                for (int i = 0; i < hw; i++) {
                    v[off + i] *= masks[mo + i];
                }
            }
        }
        return HostArrays.fromDouble(v, s, x.dataType());
    }

    @Override
    public INDArray adjoint(INDArray y) {
        return apply(y);
    }

    @Override
    public INDArray normal(INDArray x) {
        return apply(x);
    }

    /**
     * ‖A‖ = max_p |m_p| over every mask, exact: A is diagonal, so its singular values are the
     * |m_p| (1 when any pixel is observed, 0 for an all-missing mask).
     */
    @Override
    public double normBound() {
        double max = 0;
        for (double m : masks) {
            max = Math.max(max, Math.abs(m));
        }
        return max;
    }

    @Override
    public boolean normBoundIsExact() {
        return true;
    }

    @Override
    public String describe() {
        return "Inpainting(" + channels + "x" + h + "x" + w + ", " + batch + " masks)";
    }
}
