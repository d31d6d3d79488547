package org.deqbench.physics;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps every s-th pixel along both spatial axes, starting at the first:
 * {@code (A x)[i, j] = x[i·s, j·s]} — numpy {@code x[..., ::s, ::s]}, the s-fold downsampler of
 * super-resolution (ELDER, Zou et al. 2023; RERG, Willingham et al. 2024). The adjoint places
 * each value back at (i·s, j·s) and zeros elsewhere (zero-filling upsampling); A A^H = I.
 *
 * <p>Shapes: domain {@code [C, H, W]}, range {@code [C, H/s, W/s]}; s must divide H and W.
 */
public final class Decimation implements LinearOperator {
    private final int factor;
    private final int channels;
    private final int h;
    private final int w;

    public Decimation(int factor, int channels, int h, int w) {
        if (factor < 1 || h % factor != 0 || w % factor != 0) {
            throw new IllegalArgumentException("super-resolution factor (factor) must be ≥ 1 and divide the size "
                    + h + "x" + w + ", found " + factor);
        }
        this.factor = factor;
        this.channels = channels;
        this.h = h;
        this.w = w;
    }

    public int factor() {
        return factor;
    }

    @Override
    public long[] domainShape() {
        return new long[] {channels, h, w};
    }

    @Override
    public long[] rangeShape() {
        return new long[] {channels, h / factor, w / factor};
    }

    @Override
    public INDArray apply(INDArray x) {
        int n = check(x, domainShape(), "apply");
        double[] in = HostArrays.toDouble(x);
        int lh = h / factor;
        int lw = w / factor;
        double[] out = new double[n * channels * lh * lw];
        for (int p = 0; p < n * channels; p++) {
            for (int i = 0; i < lh; i++) {
                for (int j = 0; j < lw; j++) {
                    out[(p * lh + i) * lw + j] = in[(p * h + i * factor) * w + j * factor];
                }
            }
        }
        return HostArrays.fromDouble(out, new long[] {n, channels, lh, lw}, x.dataType());
    }

    @Override
    public INDArray adjoint(INDArray y) {
        int n = check(y, rangeShape(), "adjoint");
        double[] in = HostArrays.toDouble(y);
        int lh = h / factor;
        int lw = w / factor;
        double[] out = new double[n * channels * h * w];
        for (int p = 0; p < n * channels; p++) {
            for (int i = 0; i < lh; i++) {
                for (int j = 0; j < lw; j++) {
                    out[(p * h + i * factor) * w + j * factor] = in[(p * lh + i) * lw + j];
                }
            }
        }
        return HostArrays.fromDouble(out, new long[] {n, channels, h, w}, y.dataType());
    }

    /**
     * ‖A‖ = 1, exact: A keeps a subset of the coordinates, so its rows are orthonormal
     * (A A^H = I) and every singular value is 1.
     */
    @Override
    public double normBound() {
        return 1;
    }

    @Override
    public boolean normBoundIsExact() {
        return true;
    }

    @Override
    public String describe() {
        return "Decimation(x" + factor + ", " + channels + "x" + h + "x" + w + ")";
    }

    private int check(INDArray a, long[] expected, String what) {
        if (!HostArrays.isBatchOf(a.shape(), expected)) {
            throw new IllegalArgumentException(describe() + "." + what + " expects " + HostArrays.batchShape(expected)
                    + ", found " + Arrays.toString(a.shape()));
        }
        return Math.toIntExact(a.size(0));
    }
}
