package org.deqbench.recon;

import org.deqbench.physics.LinearOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A reconstruction method after training: the map b ↦ x̂ = f(b) for a batch of measurements and
 * the batch's forward operator. Certify and attack treat every method through this interface.
 */
public interface Reconstructor {
    /** x̂ for measurements {@code b} [B, range...] under {@code op}; returns [B, domain...]. */
    INDArray reconstruct(INDArray measurements, LinearOperator op);

    /**
     * A proven upper bound on the Lipschitz constant of b ↦ f(b) under {@code op}
     * (‖f(b) − f(b')‖ ≤ L‖b − b'‖), or NaN when the method has no certificate.
     */
    default double lipschitzUpperBound(LinearOperator op) {
        return Double.NaN;
    }

    /**
     * A reconstruction map whose measurement gradient is available: (∂f/∂b)^T v at b.
     * Deep-equilibrium methods compute it by implicit differentiation, unrolled ones by backprop.
     */
    interface Differentiable extends Reconstructor {
        INDArray measurementVjp(INDArray measurements, LinearOperator op, INDArray v);
    }

    /**
     * A linear reconstruction map f(b) = R b, with its adjoint R^T, so that its exact operator
     * norm (the Lipschitz constant of b ↦ x̂) follows from power iteration on R^T R.
     */
    interface Linear extends Differentiable {
        /** R^T x for x [B, domain...]; returns [B, range...]. */
        INDArray adjointMap(INDArray x, LinearOperator op);

        @Override
        default INDArray measurementVjp(INDArray measurements, LinearOperator op, INDArray v) {
            return adjointMap(v, op);
        }
    }
}
