package org.deqbench.recon;

import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.SolveResult;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * CG-SENSE / Tikhonov: x = (A^H A + λI)^{-1} A^H b, by conjugate gradients from x₀ = 0
 * (Pruessmann et al., MRM 2001, with Tikhonov regularisation).
 *
 * <p>The map R = (A^H A + λI)^{-1} A^H is linear with adjoint R^T = A (A^H A + λI)^{-1}. With the
 * singular values s of A in [0, ‖A‖], ‖R‖ = max s/(s² + λ) ≤ 1/(2√λ) (equality at s = √λ), and
 * ≤ ‖A‖/(‖A‖² + λ) when ‖A‖ < √λ: a certificate that needs only a proven bound on ‖A‖. CG is run
 * to a tight tolerance so that the computed map is this linear map (a truncated CG is a
 * b-dependent Krylov polynomial, not a fixed linear map).
 *
 * @param lambda Tikhonov weight λ > 0
 * @param cg     the solver (tolerance and iteration cap)
 */
public record CgSense(double lambda, ConjugateGradient cg) implements Reconstructor.Linear {
    public CgSense {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("CG-SENSE needs lambda > 0, got " + lambda);
        }
    }

    private INDArray solve(INDArray rhs, LinearOperator op) {
        SolveResult r = new DataConsistency(op, lambda, 1.0).solve(cg, rhs, null);
        return r.x();
    }

    @Override
    public INDArray reconstruct(INDArray measurements, LinearOperator op) {
        return solve(op.adjoint(measurements), op);
    }

    @Override
    public INDArray adjointMap(INDArray x, LinearOperator op) {
        return op.apply(solve(x, op));
    }

    @Override
    public double lipschitzUpperBound(LinearOperator op) {
        double a = op.normBound();
        if (Double.isNaN(a)) {
            return Double.NaN;
        }
        double s = Math.sqrt(lambda);
        return a >= s ? 1.0 / (2.0 * s) : a / (a * a + lambda);
    }
}
