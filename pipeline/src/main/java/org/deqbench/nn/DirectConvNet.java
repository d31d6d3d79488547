package org.deqbench.nn;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
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
 *
 * <p>Intermediate arrays (activations, pre-activations, input gradients of inner layers) come
 * from and go back to a small pool of this network's own ({@link Buffers}) instead of being
 * allocated and released per call: a profile of the 1×2×256×256 VJP ({@code perf record}, one
 * thread) spent about a quarter of its time in the kernel's page-fault handler and 7 % in
 * {@code memset}, first-touching and zeroing freshly allocated 16 MB arrays, against about 30 %
 * in oneDNN's convolution kernels. Pooled arrays are not zeroed (every kernel writing them
 * overwrites all elements); arrays handed to the caller are never pooled. The pool keeps at most
 * the arrays one call used at once, so a network holds about one VJP's intermediates between
 * calls.
 */
final class DirectConvNet {
    private final ConvNet.Architecture architecture;
    private final List<INDArray> weights;
    private final List<INDArray> biases;
    private final Activation activation;
    private final Buffers buffers = new Buffers();

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
            INDArray z = convolution(h, l, layout, l < n - 1);
            if (h != x) {
                buffers.give(h);
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
            pre[l] = convolution(h, l, layout, l < n - 1);
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
            INDArray[] g = convolutionBackward(inputs[l], l, delta, layout, l > 0);
            weightGradients[l] = g[1];
            biasGradients[l] = g[2];
            // a_l (l > 0), z_{l−1} (the same array for relu) and δ_l (l < n−1) are this pass's own
            // arrays and no longer needed once δ_{l−1} is formed
            if (delta != v) {
                buffers.give(delta);
            }
            if (l > 0) {
                // δ_{l−1} = φ'(z_{l−1}) ⊙ ε_l written over ε_l; z_{l−1} (a_l for relu) is not
                // needed afterwards and may be overwritten
                delta = activation.backwardOverwriting(pre[l - 1], g[0]);
                if (pre[l - 1] != inputs[l]) {
                    buffers.give(pre[l - 1]);
                }
                buffers.give(inputs[l]);
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

    /**
     * Releases the intermediate arrays kept between calls, e.g. after {@link LayoutChoice} ran
     * every path once and those of the paths not chosen would otherwise stay.
     */
    void releaseBuffers() {
        buffers.clear();
    }

    /** z = W_l ⋆ h + b_l; {@code pooled}: z is an intermediate (from the pool), else the caller's. */
    private INDArray convolution(INDArray h, int l, ConvNet.Layout layout, boolean pooled) {
        INDArray w = weights.get(l);
        long[] shape = outputShape(h, l, layout);
        INDArray out = pooled ? buffers.take(h.dataType(), shape) : Nd4j.createUninitialized(h.dataType(), shape);
        return Nd4j.exec(forwardOp(h, w, biases.get(l), out, layout))[0];
    }

    /**
     * {ε_l, ∂W_l, ∂b_l} from one {@code conv2d_bp} / {@code conv3dnew_bp}; {@code pooled}: ε_l is
     * an intermediate (from the pool), else the caller's.
     */
    private INDArray[] convolutionBackward(INDArray h, int l, INDArray delta, ConvNet.Layout layout,
                                           boolean pooled) {
        INDArray w = weights.get(l);
        INDArray b = biases.get(l);
        DynamicCustomOp forward = forwardOp(h, w, b, delta, layout);
        INDArray gh = pooled ? buffers.take(h.dataType(), h.shape()) : Nd4j.create(h.dataType(), h.shape());
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

    /**
     * Arrays of this network's intermediate shapes, kept between calls: {@link #take} hands out a
     * kept array (contents undefined) or a new uninitialised one, {@link #give} keeps an array for
     * the next call, up to {@value #PER_SHAPE} per shape and data type (more than one VJP holds at
     * once: the activations of every layer but the last, one input gradient and one δ), and
     * releases the rest at once. Synchronised: one network may serve several threads.
     */
    static final class Buffers {
        static final int PER_SHAPE = 8;
        private final Map<String, ArrayDeque<INDArray>> kept = new HashMap<>();

        private static String key(DataType dtype, long[] shape) {
            return dtype + Arrays.toString(shape);
        }

        synchronized INDArray take(DataType dtype, long[] shape) {
            ArrayDeque<INDArray> q = kept.get(key(dtype, shape));
            INDArray a = q == null ? null : q.pollLast();
            return a != null ? a : Nd4j.createUninitialized(dtype, shape);
        }

        /** Releases every kept array. */
        synchronized void clear() {
            for (ArrayDeque<INDArray> q : kept.values()) {
                q.forEach(DirectConvNet::free);
            }
            kept.clear();
        }

        synchronized void give(INDArray a) {
            if (a == null) {
                return;
            }
            if (a.isView() || a.ordering() != 'c' || !a.closeable()) {
                free(a);
                return;
            }
            ArrayDeque<INDArray> q = kept.computeIfAbsent(key(a.dataType(), a.shape()), k -> new ArrayDeque<>());
            if (q.size() < PER_SHAPE) {
                q.addLast(a);
            } else {
                free(a);
            }
        }
    }
}
