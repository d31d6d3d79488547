package org.deqbench.recon;

import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.FixedPointSolver;
import org.deqbench.solve.ImplicitBackward;
import org.deqbench.spec.DeqSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The solves every deep-equilibrium reconstruction (MOL's {@link DeqReconstructor}, DEQ-GD's
 * {@link DeqGdReconstructor}) takes from its {@code deq:} settings: the forward fixed-point solve
 * x* = T(x*), the backward solve u = g + J_T(x*)^T u (Bai, Kolter, Koltun, NeurIPS 2019; or u = g,
 * Jacobian-free, Fung et al., AAAI 2022), and the Tikhonov start x₀ = (A^H A + μ I)^{-1} A^H b by CG,
 * which is the fixed point of either iteration when the network's term vanishes.
 *
 * @param deq the solver settings
 */
record DeqSolvers(DeqSpec deq) {

    /** Plain iteration or Anderson acceleration up to {@code deq.max_iterations}, to {@code deq.tolerance}. */
    FixedPointSolver forward() {
        return FixedPointSolver.of(deq.solver(), deq.andersonMemory(), deq.maxIterations(), deq.tolerance());
    }

    /**
     * {@code deq.backward}'s implicit (same solver, up to {@code deq.backward_max_iterations}, to
     * {@code deq.backward_tolerance}) or Jacobian-free backward pass.
     */
    ImplicitBackward backward() {
        return ImplicitBackward.of(deq.backward(), FixedPointSolver.of(deq.solver(), deq.andersonMemory(),
                deq.backwardMaxIterations(), deq.backwardTolerance()));
    }

    /** The relative CG residual an accurate solve stops at: 1e-10 in float64, 1e-5 in float32. */
    static double cgTolerance(DataType dtype) {
        return dtype == DataType.DOUBLE ? 1e-10 : 1e-5;
    }

    /**
     * x₀ = (A^H A + μ I)^{-1} A^H b by at most {@code cgIterations} CG steps from zero
     * ({@link DataConsistency}: on the operator's fast host path where it has one).
     *
     * @param adjointMeasurements A^H b
     */
    static INDArray tikhonovStart(LinearOperator op, INDArray adjointMeasurements, double mu, double tolerance,
                                  int cgIterations) {
        return new DataConsistency(op, mu, 1.0)
                .solve(new ConjugateGradient(tolerance, cgIterations), adjointMeasurements, null).x();
    }
}
