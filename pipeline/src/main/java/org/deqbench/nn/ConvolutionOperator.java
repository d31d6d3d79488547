package org.deqbench.nn;

import java.util.Arrays;
import org.deqbench.solve.Lanczos;
import org.deqbench.solve.PowerIteration;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One convolution layer without its bias, as a linear operator on images or volumes of a fixed
 * size: x ↦ W ⋆ x (stride 1, zero padding k/2 on every side, "same" output size), and its adjoint,
 * the transposed convolution with the same weights. Its operator norm ‖W ⋆ ·‖₂ on H×W images
 * (or D×H×W volumes) is the per-layer factor of a Lipschitz bound and what spectral normalisation
 * divides by (MOL-SN, Pramanik et al., IEEE TCI 2023) — the true norm of the convolution, which
 * depends on the image size, not the norm of the reshaped {@code [k^d·Cin, Cout]} weight matrix.
 *
 * <p>Two spatial ranks d, told apart by the weight's rank:
 * <ul>
 *   <li>d = 2: weights {@code [k, k, Cin, Cout]}, inputs {@code [B, Cin, H, W]} (NCHW), conv2d;</li>
 *   <li>d = 3: weights {@code [k, k, k, Cin, Cout]}, inputs {@code [B, Cin, D, H, W]} (NCDHW),
 *       conv3d (2D+time sequences, frames as depth, and 3D volumes).</li>
 * </ul>
 * The adjoint maps {@code [B, Cout, …]} back. Eager ND4J ops, no graph: this is for power
 * iteration and certificates, not training. The adjoint is computed as a convolution with the
 * spatially flipped, channel-transposed kernel W'[a, b, (c,) o, i] = W[k−1−a, k−1−b, (k−1−c,) i, o]
 * (exact for odd k and symmetric zero padding): in ND4J M2.1 the oneDNN conv2d is several times
 * faster than deconv2d with the same weights.
 */
public final class ConvolutionOperator {
    private final INDArray weight;
    private final long[] spatialShape;
    private final INDArray flipped;

    /**
     * A 2D convolution on {@code height}×{@code width} images.
     *
     * @param weight {@code [k, k, Cin, Cout]} (the layout of {@link ConvNet}'s weights); read, not
     *               copied; the adjoint's kernel is derived here, so build a new operator after
     *               changing the weights
     * @param height image height
     * @param width  image width
     */
    public ConvolutionOperator(INDArray weight, int height, int width) {
        this(weight, new long[] {height, width});
    }

    /**
     * A convolution on images ({@code spatialShape = {H, W}}, weight {@code [k, k, Cin, Cout]}) or
     * volumes ({@code {D, H, W}}, weight {@code [k, k, k, Cin, Cout]}).
     *
     * @param weight       read, not copied; build a new operator after changing it
     * @param spatialShape the size the operator acts on, as many entries as the kernel has
     *                     spatial axes
     */
    public ConvolutionOperator(INDArray weight, long... spatialShape) {
        long[] s = weight.shape();
        int d = s.length - 2;
        if (d != 2 && d != 3) {
            throw new IllegalArgumentException("convolution weight must be [k, k, Cin, Cout] or [k, k, k, Cin, Cout],"
                    + " got " + Arrays.toString(s));
        }
        for (int i = 0; i < d; i++) {
            if (s[i] != s[0] || s[i] % 2 == 0) {
                throw new IllegalArgumentException("convolution weight must have the same odd size k on every spatial"
                        + " axis, got " + Arrays.toString(s));
            }
        }
        if (spatialShape.length != d) {
            throw new IllegalArgumentException("a " + d + "D convolution (weight " + Arrays.toString(s) + ") needs a "
                    + (d == 2 ? "{H, W}" : "{D, H, W}") + " size, got " + Arrays.toString(spatialShape));
        }
        for (long n : spatialShape) {
            if (n < 1) {
                throw new IllegalArgumentException("image size must be positive, got " + Arrays.toString(spatialShape));
            }
        }
        this.weight = weight;
        this.spatialShape = spatialShape.clone();
        this.flipped = flip(weight);
    }

    /**
     * The kernel of the adjoint convolution: input and output channels swapped and every spatial
     * axis reversed, W'[a, b, o, i] = W[k−1−a, k−1−b, i, o] (and likewise with a third axis).
     */
    static INDArray flip(INDArray weight) {
        if (weight.rank() == 4) {
            return Nd4j.exec(new Reverse(weight.permute(0, 1, 3, 2).dup('c'), 0, 1))[0];
        }
        return Nd4j.exec(new Reverse(weight.permute(0, 1, 2, 4, 3).dup('c'), 0, 1, 2))[0];
    }

    public INDArray weight() {
        return weight;
    }

    /** Number of spatial axes d: 2 for images, 3 for volumes. */
    public int spatialDims() {
        return spatialShape.length;
    }

    /** The size the operator acts on: {@code {H, W}} or {@code {D, H, W}} (a copy). */
    public long[] spatialShape() {
        return spatialShape.clone();
    }

    /** Image height (the second-to-last spatial axis). */
    public int height() {
        return (int) spatialShape[spatialShape.length - 2];
    }

    /** Image width (the last spatial axis). */
    public int width() {
        return (int) spatialShape[spatialShape.length - 1];
    }

    public int kernel() {
        return (int) weight.size(0);
    }

    public int channelsIn() {
        return (int) weight.size(spatialDims());
    }

    public int channelsOut() {
        return (int) weight.size(spatialDims() + 1);
    }

    /** W ⋆ x for x {@code [B, Cin, H, W]} or {@code [B, Cin, D, H, W]}. */
    public INDArray apply(INDArray x) {
        return convolve(x, weight);
    }

    /** The adjoint (transposed convolution) for y {@code [B, Cout, H, W]} or {@code [B, Cout, D, H, W]}. */
    public INDArray adjoint(INDArray y) {
        return convolve(y, flipped);
    }

    private INDArray convolve(INDArray x, INDArray w) {
        return spatialDims() == 2
                ? Nd4j.cnn().conv2d(x, w, conv2dConfig(kernel()))
                : Nd4j.cnn().conv3d(x, w, conv3dConfig(kernel(), Conv3DConfig.NCDHW, false));
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

    /** Shape of one input batch of size 1: {@code [1, Cin, H, W]} or {@code [1, Cin, D, H, W]}. */
    public long[] domainShape() {
        long[] shape = new long[2 + spatialDims()];
        shape[0] = 1;
        shape[1] = channelsIn();
        System.arraycopy(spatialShape, 0, shape, 2, spatialDims());
        return shape;
    }

    /** ‖W ⋆ ·‖₂ on its image size by power iteration on the adjoint composed with the convolution. */
    public PowerIteration.Result operatorNorm(PowerIteration power) {
        return power.largestSingularValue(this::apply, this::adjoint, domainShape(), weight.dataType());
    }

    /**
     * ‖W ⋆ ·‖₂ on its image size by restarted Lanczos on the Gram operator, from a seeded Gaussian
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

    /**
     * Stride 1, "same" zero padding (k/2 on every side for odd k), weights {@code [k, k, k, Cin, Cout]},
     * activations {@link Conv3DConfig#NCDHW} or {@link Conv3DConfig#NDHWC}.
     */
    static Conv3DConfig conv3dConfig(int kernel, String dataFormat, boolean biasUsed) {
        return Conv3DConfig.builder().kD(kernel).kH(kernel).kW(kernel).sD(1).sH(1).sW(1)
                .pD(kernel / 2).pH(kernel / 2).pW(kernel / 2).dD(1).dH(1).dW(1)
                .paddingMode(PaddingMode.SAME).dataFormat(dataFormat).biasUsed(biasUsed).build();
    }

    /**
     * A convolution of rank {@code spatialDims} in a graph: {@code x} in channels-first
     * (NCHW/NCDHW) or channels-last (NHWC/NDHWC) layout, weights {@code [k, …, k, Cin, Cout]},
     * {@code bias} {@code [Cout]} or {@code null}.
     */
    static SDVariable convolution(SameDiff sd, SDVariable x, SDVariable w, SDVariable bias, int spatialDims,
                                  int kernel, boolean channelsLast) {
        if (spatialDims == 2) {
            Conv2DConfig config = conv2dConfig(kernel, channelsLast ? "NHWC" : "NCHW");
            return bias == null ? sd.cnn().conv2d(x, w, config) : sd.cnn().conv2d(x, w, bias, config);
        }
        Conv3DConfig config = conv3dConfig(kernel, channelsLast ? Conv3DConfig.NDHWC : Conv3DConfig.NCDHW,
                bias != null);
        return bias == null ? sd.cnn().conv3d(x, w, config) : sd.cnn().conv3d(x, w, bias, config);
    }

}
