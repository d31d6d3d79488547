package org.deqbench.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link ConvNet}'s forward pass and vector-Jacobian product with every "same" convolution done
 * as k^d matrix products on shifted views of one zero-padded, channels-last buffer: no
 * {@code im2col} copy and no convolution kernel.
 *
 * <p><b>The row grid.</b> An activation {@code [B, C, S₁, …, S_d]} is stored channels last and
 * zero-padded by p = k/2 on each side of every spatial axis, {@code [B, S₁+2p, …, S_d+2p, C]},
 * flattened to R = B·Π(S_i+2p) rows of C numbers, followed by 2c zero rows, where
 * c = Σ_i p·r_i is the row offset of the kernel centre and r_i the row stride of spatial axis i
 * (r_d = 1, r_i = r_{i+1}(S_{i+1}+2p)). Kernel tap t = (t₁, …, t_d), t_i ∈ {0 … k−1}, has row
 * offset o_t = Σ_i t_i r_i, and the rows o_t … o_t+R−1 of a buffer are one contiguous [R, C]
 * matrix X_t (a view: ND4J passes the offset pointer to the BLAS gemm, no copy). The output pixel
 * whose padded position is row q + c of the buffer sees the inputs in rows q + o_t, so with
 * W_t = W[t₁, …, t_d] ∈ ℝ^{Cin×Cout}:
 * <pre>
 *   forward      Z[c : c+R]  = Σ_t X_t · W_t + 1 bᵀ
 *   input VJP    E[c : c+R]  = Σ_t G_t · W_{t̄}ᵀ          t̄ = (k−1−t₁, …, k−1−t_d), the flipped kernel
 *   weight VJP   ∂W_t        = X_tᵀ · G[c : c+R]
 *   bias VJP     ∂b          = Σ_rows G
 * </pre>
 * with G the output cotangent in the same padded layout (zero on the padding). Rows of the result
 * that land on padding are meaningless (they mix neighbouring rows and images) and are set to zero
 * afterwards, which is also the zero padding the next layer needs. Each product is one gemm,
 * accumulated with β = 1 ({@link Nd4j#gemm(INDArray, INDArray, INDArray, boolean, boolean, double, double)}).
 * The input VJP is the adjoint of the forward map: substitute q' = q + o_t in
 * ⟨Σ_t X_t W_t, G⟩ = Σ_t Σ_q ⟨X[q + o_t], G[q + c] W_tᵀ⟩ and use o_t + o_{t̄} = 2c.
 *
 * <p>The same code serves 2D (k² taps) and 3D (k³ taps) networks. Convolution as k² gemms that
 * accumulate, without {@code im2col}, is among the methods compared by Vasudevan, Anderson and
 * Gregg, "Parallel multi channel convolution using general matrix multiplication" (ASAP 2017);
 * here the shift is applied to the input rows, as a view, so nothing is copied.
 *
 * <p>Every returned array is channels first and C-ordered, as {@link DirectConvNet}'s callers expect.
 */
final class ShiftedGemmConvNet {
    private final ConvNet.Architecture architecture;
    private final List<INDArray> weights;
    private final List<INDArray> biases;
    private final Activation activation;

    /**
     * @param weights live weight arrays {@code [k, …, k, Cin, Cout]} (updated in place by the network)
     * @param biases  live bias arrays {@code [Cout]}
     */
    ShiftedGemmConvNet(ConvNet.Architecture architecture, List<INDArray> weights, List<INDArray> biases) {
        this.architecture = architecture;
        this.weights = weights;
        this.biases = biases;
        this.activation = Activation.of(architecture.activation());
    }

    /**
     * The padded row grid of one input shape.
     *
     * @param batch  B
     * @param size   the spatial sizes S₁ … S_d
     * @param kernel k (odd)
     */
    record Grid(long batch, long[] size, int kernel) {
        int pad() {
            return kernel / 2;
        }

        int dims() {
            return size.length;
        }

        long padded(int axis) {
            return size[axis] + 2L * pad();
        }

        /** R, the rows of the padded images. */
        long rows() {
            long r = batch;
            for (int i = 0; i < dims(); i++) {
                r *= padded(i);
            }
            return r;
        }

        /** r_i, the row stride of spatial axis i. */
        long stride(int axis) {
            long s = 1;
            for (int i = dims() - 1; i > axis; i--) {
                s *= padded(i);
            }
            return s;
        }

        /** c, the row offset of the kernel centre. */
        long centre() {
            long c = 0;
            for (int i = 0; i < dims(); i++) {
                c += pad() * stride(i);
            }
            return c;
        }

        /** Rows of a buffer: R plus 2c zero rows, so that every tap's view stays inside it. */
        long length() {
            return rows() + 2 * centre();
        }

        int taps() {
            int t = 1;
            for (int i = 0; i < dims(); i++) {
                t *= kernel;
            }
            return t;
        }

        /** o_t for tap t (row-major over the kernel axes, as the weight array stores them). */
        long offset(int tap) {
            long o = 0;
            int rest = tap;
            for (int i = dims() - 1; i >= 0; i--) {
                o += (rest % kernel) * stride(i);
                rest /= kernel;
            }
            return o;
        }
    }

    /** N(x) for x channels first; the output is channels first. */
    INDArray forward(INDArray x) {
        Grid grid = grid(x);
        int n = architecture.layers();
        INDArray h = padded(x, grid);
        for (int l = 0; l < n; l++) {
            INDArray z = convolution(h, l, grid);
            DirectConvNet.free(h);
            if (l < n - 1) {
                h = activation.applyInPlace(z);
                zeroPadding(h, grid);
            } else {
                h = z;
            }
        }
        INDArray out = channelsFirst(h, grid);
        DirectConvNet.free(h);
        return out;
    }

    /**
     * N(x), J_x^T v and the parameter gradients (keyed {@code w0, b0, …}) for x and v channels
     * first; see {@link DirectConvNet} for the backward recursion.
     */
    ConvNet.Vjp vjp(INDArray x, INDArray v) {
        Grid grid = grid(x);
        int n = architecture.layers();
        INDArray[] inputs = new INDArray[n];
        INDArray[] pre = new INDArray[n];
        INDArray h = padded(x, grid);
        for (int l = 0; l < n; l++) {
            inputs[l] = h;
            pre[l] = convolution(h, l, grid);
            if (l == n - 1) {
                h = pre[l];
            } else if (activation.backwardFromOutput()) {
                // relu: the activation overwrites z (φ(0) = 0 keeps the padding), the backward pass
                // reads the mask off it
                h = activation.applyInPlace(pre[l]);
            } else {
                h = activated(pre[l], grid);
            }
        }
        INDArray output = channelsFirst(pre[n - 1], grid);
        DirectConvNet.free(pre[n - 1]);
        INDArray delta = padded(v, grid);
        INDArray ones = Nd4j.ones(x.dataType(), 1, grid.length());
        Map<String, INDArray> parameters = new LinkedHashMap<>();
        INDArray[] weightGradients = new INDArray[n];
        INDArray[] biasGradients = new INDArray[n];
        INDArray inputGradient = null;
        for (int l = n - 1; l >= 0; l--) {
            weightGradients[l] = weightGradient(inputs[l], delta, l, grid);
            biasGradients[l] = biasGradient(delta, ones);
            INDArray epsilon = inputGradient(delta, l, grid);
            DirectConvNet.free(delta);
            if (l > 0) {
                // ε is zero on the padding, so φ'(z) ⊙ ε is too
                delta = activation.backward(pre[l - 1], epsilon);
                if (pre[l - 1] != inputs[l]) {
                    DirectConvNet.free(pre[l - 1]);
                }
                pre[l - 1] = null;
            } else {
                inputGradient = channelsFirst(epsilon, grid);
            }
            DirectConvNet.free(inputs[l]);
            inputs[l] = null;
            DirectConvNet.free(epsilon);
        }
        for (int l = 0; l < n; l++) {
            parameters.put(ConvNet.weightName(l), weightGradients[l]);
            parameters.put(ConvNet.biasName(l), biasGradients[l]);
        }
        return new ConvNet.Vjp(output, inputGradient, parameters);
    }

    private Grid grid(INDArray x) {
        long[] shape = x.shape();
        long[] size = new long[shape.length - 2];
        System.arraycopy(shape, 2, size, 0, size.length);
        return new Grid(shape[0], size, architecture.kernel());
    }

    /** Z = Σ_t X_t W_t + b on the padded grid, zero on the padding. */
    private INDArray convolution(INDArray x, int l, Grid grid) {
        INDArray w = taps(weights.get(l), grid);
        int cout = architecture.width(l + 1);
        INDArray z = Nd4j.create(x.dataType(), grid.length(), cout);
        INDArray out = rows(z, grid.centre(), grid.rows());
        for (int t = 0; t < grid.taps(); t++) {
            Nd4j.gemm(rows(x, grid.offset(t), grid.rows()), tap(w, t), out, false, false, 1.0, t == 0 ? 0.0 : 1.0);
        }
        out.addiRowVector(biases.get(l));
        zeroPadding(z, grid);
        return z;
    }

    /** φ(z), zero on the padding (softplus(0) is not 0). */
    private INDArray activated(INDArray z, Grid grid) {
        INDArray a = activation.apply(z);
        zeroPadding(a, grid);
        return a;
    }

    /** ∂W_t = X_tᵀ G[c : c+R] for every tap, as an array shaped like the weights. */
    private INDArray weightGradient(INDArray x, INDArray delta, int l, Grid grid) {
        INDArray w = weights.get(l);
        INDArray gw = Nd4j.create(w.dataType(), w.shape());
        INDArray gwTaps = taps(gw, grid);
        INDArray g = rows(delta, grid.centre(), grid.rows());
        for (int t = 0; t < grid.taps(); t++) {
            Nd4j.gemm(rows(x, grid.offset(t), grid.rows()), g, tap(gwTaps, t), true, false, 1.0, 0.0);
        }
        return gw;
    }

    /**
     * ∂b = 1ᵀ G as one matrix product (a row sum of a tall channels-last array is a strided
     * reduction in ND4J, several times slower).
     */
    private static INDArray biasGradient(INDArray delta, INDArray ones) {
        INDArray gb = Nd4j.create(delta.dataType(), 1, delta.size(1));
        Nd4j.gemm(ones, delta, gb, false, false, 1.0, 0.0);
        return gb.reshape(delta.size(1));
    }

    /** E[c : c+R] = Σ_t G_t W_{t̄}ᵀ, zero on the padding. */
    private INDArray inputGradient(INDArray delta, int l, Grid grid) {
        INDArray w = taps(weights.get(l), grid);
        int taps = grid.taps();
        // W_{t̄}ᵀ for every tap as one contiguous [taps, Cout, Cin] copy (k^d·Cin·Cout numbers)
        INDArray flipped = Nd4j.create(w.dataType(), taps, w.size(2), w.size(1));
        for (int t = 0; t < taps; t++) {
            tap(flipped, t).assign(tap(w, taps - 1 - t).transpose());
        }
        INDArray e = Nd4j.create(delta.dataType(), grid.length(), architecture.width(l));
        INDArray out = rows(e, grid.centre(), grid.rows());
        for (int t = 0; t < taps; t++) {
            Nd4j.gemm(rows(delta, grid.offset(t), grid.rows()), tap(flipped, t), out, false, false, 1.0,
                    t == 0 ? 0.0 : 1.0);
        }
        DirectConvNet.free(flipped);
        zeroPadding(e, grid);
        return e;
    }

    /** {@code [taps, Cin, Cout]} view of a weight array {@code [k, …, k, Cin, Cout]}. */
    private static INDArray taps(INDArray w, Grid grid) {
        long[] shape = w.shape();
        return w.reshape('c', grid.taps(), shape[shape.length - 2], shape[shape.length - 1]);
    }

    private static INDArray tap(INDArray taps, int t) {
        return taps.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
    }

    /** Rows {@code from … from+count−1} of a buffer, a contiguous view. */
    private static INDArray rows(INDArray buffer, long from, long count) {
        return buffer.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all());
    }

    /** The first R rows of a buffer as {@code [B, S₁+2p, …, S_d+2p, C]} (a view). */
    private static INDArray image(INDArray buffer, Grid grid) {
        long[] shape = new long[grid.dims() + 2];
        shape[0] = grid.batch();
        for (int i = 0; i < grid.dims(); i++) {
            shape[i + 1] = grid.padded(i);
        }
        shape[shape.length - 1] = buffer.size(1);
        return rows(buffer, 0, grid.rows()).reshape('c', shape);
    }

    /** The unpadded pixels of a buffer, {@code [B, S₁, …, S_d, C]} (a view). */
    private static INDArray interior(INDArray buffer, Grid grid) {
        INDArrayIndex[] index = new INDArrayIndex[grid.dims() + 2];
        index[0] = NDArrayIndex.all();
        for (int i = 0; i < grid.dims(); i++) {
            index[i + 1] = NDArrayIndex.interval(grid.pad(), grid.pad() + grid.size()[i]);
        }
        index[index.length - 1] = NDArrayIndex.all();
        return image(buffer, grid).get(index);
    }

    /** Sets the padding and the trailing rows of a buffer to zero. */
    private static void zeroPadding(INDArray buffer, Grid grid) {
        int p = grid.pad();
        if (p > 0) {
            INDArray image = image(buffer, grid);
            for (int i = 0; i < grid.dims(); i++) {
                long size = grid.padded(i);
                for (long[] range : new long[][] {{0, p}, {size - p, size}}) {
                    INDArrayIndex[] index = new INDArrayIndex[grid.dims() + 2];
                    java.util.Arrays.fill(index, NDArrayIndex.all());
                    index[i + 1] = NDArrayIndex.interval(range[0], range[1]);
                    image.get(index).assign(0);
                }
            }
        }
        if (grid.length() > grid.rows()) {
            rows(buffer, grid.rows(), grid.length() - grid.rows()).assign(0);
        }
    }

    /** A channels-first array {@code [B, C, S₁, …]} as a padded channels-last buffer. */
    private static INDArray padded(INDArray channelsFirst, Grid grid) {
        INDArray buffer = Nd4j.create(channelsFirst.dataType(), grid.length(), channelsFirst.size(1));
        interior(buffer, grid).assign(toChannelsLast(channelsFirst));
        return buffer;
    }

    /** The interior of a buffer as a C-ordered channels-first array. */
    private static INDArray channelsFirst(INDArray buffer, Grid grid) {
        INDArray in = interior(buffer, grid);
        return (in.rank() == 4 ? in.permute(0, 3, 1, 2) : in.permute(0, 4, 1, 2, 3)).dup('c');
    }

    private static INDArray toChannelsLast(INDArray channelsFirst) {
        return channelsFirst.rank() == 4 ? channelsFirst.permute(0, 2, 3, 1) : channelsFirst.permute(0, 2, 3, 4, 1);
    }
}
