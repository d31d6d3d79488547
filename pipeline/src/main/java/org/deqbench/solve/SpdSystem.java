package org.deqbench.solve;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A symmetric positive definite matrix M acting on a batch of vectors held in one {@code double[]}
 * (the examples one after another), for {@link ConjugateGradient#solve(SpdSystem, INDArray, INDArray)}.
 *
 * <p>The vectors are kept in a layout of the system's choosing: any fixed permutation of each
 * example's C-order values, so inner products and norms are those of the arrays. The solver loads
 * its right-hand side and start once, applies M in the loop and stores the solution once.
 */
public interface SpdSystem {
    /** The values of a batch {@code [B, ...]} in the working layout, in double. */
    double[] load(INDArray x);

    /** The inverse of {@link #load}: a new array of {@code type} of the loaded shape. */
    INDArray store(double[] v, DataType type);

    /** {@code out} = M {@code in} for every example (working layout; {@code out} is overwritten, not {@code in}). */
    void apply(double[] in, double[] out);

    /** Whether {@link #precondition} applies a preconditioner P ≈ M^{-1} (otherwise P = I). */
    default boolean preconditioned() {
        return false;
    }

    /**
     * {@code z} = P {@code r} for every example, P symmetric positive definite (only called when
     * {@link #preconditioned}).
     */
    default void precondition(double[] r, double[] z) {
        System.arraycopy(r, 0, z, 0, r.length);
    }
}
