package org.deqbench.physics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear forward operator A between real arrays, batched along the first axis.
 *
 * <p><b>Complex data.</b> A complex image of size H×W is stored as two real channels
 * (real, imaginary): shape {@code [B, 2, H, W]} (one channel {@code [B, 1, H, W]} for real
 * problems). Inner products are the real inner product of these arrays, which equals
 * Re⟨x, y⟩ of the complex vectors, so {@link #adjoint} is the complex adjoint A^H.
 *
 * <p>Implementations compute in the dtype of their input (float32 or float64) and check shapes
 * when constructed and when applied, with messages that name the expected shape.
 */
public interface LinearOperator {
    /** Shape of one input example (without the batch axis), e.g. {@code [2, H, W]}. */
    long[] domainShape();

    /** Shape of one output example (without the batch axis), e.g. {@code [C, 2, H, W]}. */
    long[] rangeShape();

    /** A x for a batch {@code [B, domainShape...]}. */
    INDArray apply(INDArray x);

    /** A^H y for a batch {@code [B, rangeShape...]}. */
    INDArray adjoint(INDArray y);

    /** The normal operator A^H A. Implementations may override with a cheaper form. */
    default INDArray normal(INDArray x) {
        return adjoint(apply(x));
    }

    /**
     * A^H A on {@code double[]} vectors for solvers that apply it many times; operators with a
     * cheaper form in another layout override it (multi-coil MRI keeps its vectors shifted and
     * interleaved for the FFT). The default calls {@link #normal} once per application.
     */
    default HostNormal hostNormal() {
        return HostNormal.of(this);
    }

    /**
     * A proven upper bound on the operator norm ‖A‖, or NaN when the operator knows none. For
     * example multi-coil MRI with an orthonormal FFT, a sampling mask and coil maps normalised to
     * Σ|S_c|² = 1 has ‖A‖ ≤ 1. Certificates use this; estimates never replace it.
     */
    default double normBound() {
        return Double.NaN;
    }

    /**
     * Whether {@link #normBound} is the exact operator norm ‖A‖ (not only an upper bound), as for
     * the identity, a periodic blur (max |K̂|), a decimation or an inpainting mask. Tests compare
     * exact claims with the largest singular value of the dense matrix.
     */
    default boolean normBoundIsExact() {
        return false;
    }

    /** Short human-readable name, e.g. {@code MultiCoilMri(8 coils, 64x64)}. */
    default String describe() {
        return getClass().getSimpleName();
    }
}
