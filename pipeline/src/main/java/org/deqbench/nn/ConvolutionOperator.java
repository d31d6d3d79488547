package org.deqbench.nn;

import java.util.Arrays;
import org.deqbench.solve.Lanczos;
import org.deqbench.solve.PowerIteration;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One convolution layer without its bias, as a linear operator on images of a fixed size:
 * x ↦ W ⋆ x (stride 1, zero padding k/2, "same" output size), and its adjoint, the transposed
 * convolution with the same weights. Its operator norm ‖W ⋆ ·‖₂ on H×W images is the per-layer
 * factor of a Lipschitz bound and what spectral normalisation divides by (MOL-SN, Pramanik et al.,
 * IEEE TCI 2023) — the true norm of the convolution, which depends on the image size, not the norm
 * of the reshaped {@code [k²·Cin, Cout]} weight matrix.
 *
 * <p>Inputs are batched NCHW arrays {@code [B, Cin, H, W]}; the adjoint maps {@code [B, Cout, H, W]}
 * back. Eager ND4J ops, no graph: this is for power iteration and certificates, not training.
 * The adjoint is computed as a convolution with the spatially flipped, channel-transposed kernel
 * W'[a, b, o, i] = W[k−1−a, k−1−b, i, o] (exact for odd k and symmetric zero padding): in ND4J
 * M2.1 the oneDNN conv2d is several times faster than deconv2d with the same weights.
 */
public final class ConvolutionOperator {
    private final INDArray weight;
    private final int height;
    private final int width;
    private final INDArray flipped;

    /**
     * @param weight {@code [k, k, Cin, Cout]} (the layout of {@link ConvNet}'s weights); read, not
     *               copied; the adjoint's kernel is derived here, so build a new operator after
     *               changing the weights
     * @param height image height
     * @param width  image width
     */
    public ConvolutionOperator(INDArray weight, int height, int width) {
        long[] s = weight.shape();
        if (s.length != 4 || s[0] != s[1] || s[0] % 2 == 0) {
            throw new IllegalArgumentException("convolution weight must be [k, k, Cin, Cout] with odd k, got "
                    + Arrays.toString(s));
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        this.weight = weight;
        this.height = height;
        this.width = width;
        this.flipped = flip(weight);
    }

    /** W'[a, b, o, i] = W[k−1−a, k−1−b, i, o]: the kernel of the adjoint convolution. */
    static INDArray flip(INDArray weight) {
        return Nd4j.exec(new Reverse(weight.permute(0, 1, 3, 2).dup('c'), 0, 1))[0];
    }

    public INDArray weight() {
        return weight;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int kernel() {
        return (int) weight.size(0);
    }

    public int channelsIn() {
        return (int) weight.size(2);
    }

    public int channelsOut() {
        return (int) weight.size(3);
    }

    /** W ⋆ x for x {@code [B, Cin, H, W]}. */
    public INDArray apply(INDArray x) {
        return Nd4j.cnn().conv2d(x, weight, conv2dConfig(kernel()));
    }

    /** The adjoint (transposed convolution) for y {@code [B, Cout, H, W]}. */
    public INDArray adjoint(INDArray y) {
        return Nd4j.cnn().conv2d(y, flipped, conv2dConfig(kernel()));
    }

    /**
     * C^T C x, freeing the intermediate C x at once: Lanczos and power iteration apply it hundreds
     * of times, and ND4J would otherwise hold every intermediate until a garbage collection.
     */
    public INDArray gram(INDArray x) {
        INDArray cx = apply(x);
        try {
            return adjoint(cx);
        } finally {
            cx.close();
        }
    }

    /** Shape of one input batch of size 1: {@code [1, Cin, H, W]}. */
    public long[] domainShape() {
        return new long[] {1, channelsIn(), height, width};
    }

    /** ‖W ⋆ ·‖₂ on H×W images by power iteration on the adjoint composed with the convolution. */
    public PowerIteration.Result operatorNorm(PowerIteration power) {
        return power.largestSingularValue(this::apply, this::adjoint, domainShape(), weight.dataType());
    }

    /**
     * ‖W ⋆ ·‖₂ on H×W images by restarted Lanczos on the Gram operator, from a seeded Gaussian
     * start: far fewer convolutions than power iteration for the same accuracy.
     */
    public PowerIteration.Result operatorNorm(Lanczos lanczos, long seed) {
        return lanczos.largestSingularValue(this::gram,
                PowerIteration.randomStart(domainShape(), weight.dataType(), seed));
    }

    /** Stride 1, "same" zero padding, NCHW, weights {@code [k, k, Cin, Cout]}. */
    static Conv2DConfig conv2dConfig(int kernel) {
        return conv2dConfig(kernel, "NCHW");
    }

    /** As {@link #conv2dConfig(int)} for activations in {@code NCHW} or {@code NHWC} layout. */
    static Conv2DConfig conv2dConfig(int kernel, String dataFormat) {
        return Conv2DConfig.builder().kH(kernel).kW(kernel).sH(1).sW(1).pH(kernel / 2).pW(kernel / 2)
                .dH(1).dW(1).paddingMode(PaddingMode.SAME).dataFormat(dataFormat)
                .weightsFormat(WeightsFormat.YXIO).build();
    }

}
