package org.deqbench.physics;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The normal operator A^H A of a {@link LinearOperator} on plain {@code double[]} vectors held in a
 * layout of the operator's choosing, for iterative solvers that apply it many times (conjugate
 * gradients on μ I + ν A^H A in MoDL, MOL and CG-SENSE).
 *
 * <p>The working layout of one example is a fixed permutation P of its C-order values, the same
 * for every example of a batch; a batch is the examples one after another. Because P is a
 * permutation, inner products and norms are the same in both layouts, and the solver never needs
 * to know P: it {@link #load}s the right-hand side and the start once, applies
 * {@link #normal} = P A^H A P⁻¹ in the loop, and {@link #store}s the solution once. The MRI operator
 * uses this to keep its vectors shifted and interleaved for the FFT across a whole solve
 * ({@link MultiCoilMri#hostNormal}).
 */
public interface HostNormal {
    /** Shape of one example without the batch axis (the operator's domain shape). */
    long[] exampleShape();

    /** Values per example. */
    default int exampleLength() {
        return Math.toIntExact(Arrays.stream(exampleShape()).reduce(1L, (p, q) -> p * q));
    }

    /** The values of {@code x} {@code [B, exampleShape...]} in the working layout, in double. */
    double[] load(INDArray x);

    /** The inverse of {@link #load}: a new C-order array {@code [B, exampleShape...]} of {@code type}. */
    INDArray store(double[] v, DataType type);

    /**
     * {@code out} = A^H A {@code in} for every example, both in the working layout
     * ({@code in.length} a multiple of {@link #exampleLength}); {@code out} is overwritten and
     * must not be {@code in}.
     */
    void normal(double[] in, double[] out);

    /**
     * (μ I + ν A^H A)^{-1} in the working layout, when the operator can apply it exactly and
     * cheaply (a preconditioner that makes conjugate gradients converge in one step), else null.
     *
     * @param mu μ > 0
     * @param nu ν > 0
     */
    default Inverse inverse(double mu, double nu) {
        return null;
    }

    /**
     * The same operator for solves whose vectors come in {@code type}: where the operator has a
     * faster form at that precision (2D MRI's row gemms in float32) it may compute A^H A with it,
     * to about that precision; load, store and the inverse are unchanged. Default: this.
     */
    default HostNormal inPrecision(DataType type) {
        return this;
    }

    /** An exact inverse on batches in the working layout ({@code out} overwritten, not {@code in}). */
    @FunctionalInterface
    interface Inverse {
        void apply(double[] in, double[] out);
    }

    /**
     * The plain form for any operator: the C-order layout, each application one call of
     * {@link LinearOperator#normal} on a float64 array.
     */
    static HostNormal of(LinearOperator op) {
        long[] shape = op.domainShape();
        return new HostNormal() {
            @Override
            public long[] exampleShape() {
                return shape.clone();
            }

            @Override
            public double[] load(INDArray x) {
                return HostArrays.toDouble(x);
            }

            @Override
            public INDArray store(double[] v, DataType type) {
                return HostArrays.fromDouble(v, batchShape(v.length, this), type);
            }

            @Override
            public void normal(double[] in, double[] out) {
                INDArray x = HostArrays.fromDouble(in, batchShape(in.length, this), DataType.DOUBLE);
                double[] y = HostArrays.toDouble(op.normal(x));
                System.arraycopy(y, 0, out, 0, y.length);
            }
        };
    }

    /** {@code [n / exampleLength, exampleShape...]} for a batch of {@code n} values. */
    static long[] batchShape(int n, HostNormal h) {
        long[] e = h.exampleShape();
        int len = h.exampleLength();
        if (n % len != 0) {
            throw new IllegalArgumentException(n + " values are not a whole batch of examples "
                    + Arrays.toString(e));
        }
        long[] s = new long[e.length + 1];
        s[0] = n / len;
        System.arraycopy(e, 0, s, 1, e.length);
        return s;
    }
}
