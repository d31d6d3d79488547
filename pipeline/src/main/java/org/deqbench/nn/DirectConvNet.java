package org.deqbench.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv3D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ConvNet}'s forward pass and vector-Jacobian product executed op by op on the native
 * backend, without a SameDiff session: the same libnd4j convolution kernels the graph runs
 * (oneDNN {@code conv2d}/{@code conv3dnew} and their {@code _bp} ops), none of the session's work
 * around them (dependency tracking, array-lifetime bookkeeping, gradient-graph execution, the
 * loss ⟨N(x), v⟩ and its broadcast).
 *
 * <p>With a₀ = x, z_l = W_l ⋆ a_l + b_l, a_{l+1} = φ(z_l) and N(x) = z_{n−1}, the backward pass
 * for a cotangent v is, l = n−1 … 0 (δ_{n−1} = v):
 * <pre>
 *   ∂⟨N, v⟩/∂W_l = Σ_{batch, pixels} a_l ⊗ δ_l   (correlation of the layer input with δ_l)
 *   ∂⟨N, v⟩/∂b_l = Σ_{batch, pixels} δ_l
 *   ε_l        = W_l^T ⋆ δ_l                        (the transposed convolution)
 *   δ_{l−1}    = φ'(z_{l−1}) ⊙ ε_l,   J_x^T v = ε₀
 * </pre>
 * Each layer's three products come from one {@code conv2d_bp} ({@code conv3dnew_bp}) call.
 * Measured per 64 → 64 layer on 4×64×64×64 (float32, oneDNN/AVX2 libnd4j, 2 cores shared with other
 * jobs at load average 11, one and two threads): {@code conv2d_bp} took 82–214 ms against 42–80 ms for
 * the forward convolution, i.e. about the 2× of the two products it computes; the alternatives were
 * slower — the input gradient as a forward convolution with the flipped, transposed kernel took
 * 31–52 ms but the weight gradient by {@code im2col} and batched gemm alone took 168–222 ms (NCHW),
 * and by {@code extract_image_patches} and one gemm 1.5 s (NHWC). What made the SameDiff VJP slow
 * was the session around the kernels, not the kernels.
 *
 * <p>Activations are in one layout throughout, channels first or channels last
 * ({@link ConvNet.Layout}); the caller transposes inputs and outputs. Gradients with respect to the
 * weights are those of the arrays the convolutions use (for the spectral variant: the normalised
 * weights).
 */
final class DirectConvNet {
    private final ConvNet.Architecture architecture;
    private final List<INDArray> weights;
    private final List<INDArray> biases;
    private final Activation activation;

    /**
     * @param weights live weight arrays {@code [k, …, k, Cin, Cout]} (updated in place by the network)
     * @param biases  live bias arrays {@code [Cout]}
     */
    DirectConvNet(ConvNet.Architecture architecture, List<INDArray> weights, List<INDArray> biases) {
        this.architecture = architecture;
        this.weights = weights;
        this.biases = biases;
        this.activation = Activation.of(architecture.activation());
    }

    /** N(x) for x in {@code layout}; the output is in {@code layout}. */
    INDArray forward(INDArray x, ConvNet.Layout layout) {
        INDArray h = x;
        int n = architecture.layers();
        for (int l = 0; l < n; l++) {
            INDArray z = convolution(h, l, layout);
            if (h != x) {
                free(h);
            }
            if (l < n - 1) {
                h = activation.applyInPlace(z);
            } else {
                h = z;
            }
        }
        return h;
    }

    /**
     * Releases an intermediate array's native memory now rather than when the collector finds it:
     * a VJP allocates about three arrays per layer, and left to the collector they piled up to
     * about 50 % more peak memory in a MOL-LR training step than SameDiff's session (which
     * releases its intermediates itself).
     */
    static void free(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }

    /**
     * N(x), J_x^T v and the parameter gradients (keyed {@code w0, b0, …}, graph weights) for x and v
     * in {@code layout}; output and input gradient in {@code layout}.
     */
    ConvNet.Vjp vjp(INDArray x, INDArray v, ConvNet.Layout layout) {
        int n = architecture.layers();
        INDArray[] inputs = new INDArray[n];
        INDArray[] pre = new INDArray[n];
        INDArray h = x;
        for (int l = 0; l < n; l++) {
            inputs[l] = h;
            pre[l] = convolution(h, l, layout);
            if (l == n - 1) {
                h = pre[l];
            } else if (activation.backwardFromOutput()) {
                // relu: the activation overwrites z, and the backward pass reads the mask off it
                h = activation.applyInPlace(pre[l]);
            } else {
                h = activation.apply(pre[l]);
            }
        }
        INDArray output = h;
        INDArray delta = v;
        INDArray[] weightGradients = new INDArray[n];
        INDArray[] biasGradients = new INDArray[n];
        INDArray inputGradient = null;
        for (int l = n - 1; l >= 0; l--) {
            INDArray[] g = convolutionBackward(inputs[l], l, delta, layout);
            weightGradients[l] = g[1];
            biasGradients[l] = g[2];
            // a_l (l > 0), z_{l−1} (the same array for relu) and δ_l (l < n−1) are this pass's own
            // arrays and no longer needed once δ_{l−1} is formed
            if (delta != v) {
                free(delta);
            }
            if (l > 0) {
                delta = activation.backward(pre[l - 1], g[0]);
                free(g[0]);
                if (pre[l - 1] != inputs[l]) {
                    free(pre[l - 1]);
                }
                free(inputs[l]);
                pre[l - 1] = null;
            } else {
                inputGradient = g[0];
            }
            inputs[l] = null;
        }
        Map<String, INDArray> parameters = new LinkedHashMap<>();
        for (int l = 0; l < n; l++) {
            parameters.put(ConvNet.weightName(l), weightGradients[l]);
            parameters.put(ConvNet.biasName(l), biasGradients[l]);
        }
        return new ConvNet.Vjp(output, inputGradient, parameters);
    }

    /** z = W_l ⋆ h + b_l. */
    private INDArray convolution(INDArray h, int l, ConvNet.Layout layout) {
        INDArray w = weights.get(l);
        INDArray out = Nd4j.create(h.dataType(), outputShape(h, l, layout));
        return Nd4j.exec(forwardOp(h, w, biases.get(l), out, layout))[0];
    }

    /** {ε_l, ∂W_l, ∂b_l} from one {@code conv2d_bp} / {@code conv3dnew_bp}. */
    private INDArray[] convolutionBackward(INDArray h, int l, INDArray delta, ConvNet.Layout layout) {
        INDArray w = weights.get(l);
        INDArray b = biases.get(l);
        DynamicCustomOp forward = forwardOp(h, w, b, delta, layout);
        INDArray gh = Nd4j.create(h.dataType(), h.shape());
        INDArray gw = Nd4j.create(w.dataType(), w.shape());
        INDArray gb = Nd4j.create(b.dataType(), b.shape());
        String name = architecture.spatialDims() == 2 ? "conv2d_bp" : "conv3dnew_bp";
        Nd4j.exec(DynamicCustomOp.builder(name).addInputs(h, w, b, delta).addOutputs(gh, gw, gb)
                .addIntegerArguments(java.util.Arrays.stream(forward.iArgs()).mapToInt(Math::toIntExact).toArray())
                .build());
        return new INDArray[] {gh, gw, gb};
    }

    /** The forward op with its integer arguments (kernel, stride, padding, layout, weight format). */
    private DynamicCustomOp forwardOp(INDArray h, INDArray w, INDArray b, INDArray out, ConvNet.Layout layout) {
        int k = architecture.kernel();
        if (architecture.spatialDims() == 2) {
            return new Conv2D(h, w, b, out, ConvolutionOperator.conv2dConfig(k, layout.dataFormat(2)));
        }
        Conv3DConfig config = ConvolutionOperator.conv3dConfig(k, layout.dataFormat(3), true);
        return new Conv3D(h, w, b, out, config);
    }

    private long[] outputShape(INDArray h, int l, ConvNet.Layout layout) {
        long[] shape = h.shape().clone();
        shape[layout.channelsLast() ? shape.length - 1 : 1] = architecture.width(l + 1);
        return shape;
    }
}
