package org.deqbench.solve;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-example linear algebra on batched arrays: the first axis indexes examples and every other
 * axis is flattened into one vector per example. Solvers use it so that each example gets its own
 * step sizes and stopping test.
 */
final class Batch {
    private Batch() {
    }

    /**
     * {@code a} as {@code [B, n]} rows: a view when {@code a} is C-contiguous (as every array the
     * solvers allocate themselves is, so in-place updates of the rows update {@code a}), a copy
     * otherwise.
     */
    static INDArray rows(INDArray a) {
        long b = a.size(0);
        return a.reshape('c', b, a.length() / b);
    }

    /** Per-example real inner products ⟨a_i, b_i⟩ of two {@code [B, n]} arrays, in double. */
    static double[] dot(INDArray a, INDArray b) {
        return a.mul(b).sum(1).toDoubleVector();
    }

    /** Per-example Euclidean norms of a {@code [B, n]} array, in double. */
    static double[] norm(INDArray a) {
        return a.norm2(1).toDoubleVector();
    }

    /** A {@code [B, 1]} column of per-example scalars in {@code dtype}, for row-wise scaling. */
    static INDArray column(double[] values, DataType dtype) {
        return Nd4j.createFromArray(values).castTo(dtype).reshape(values.length, 1);
    }

    static double max(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }
}
