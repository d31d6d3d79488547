package org.deqbench.recon;

import org.deqbench.physics.LinearOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The zero-filled reconstruction x = A^H b; linear with adjoint x ↦ A x and norm ‖A‖. */
public final class ZeroFilled implements Reconstructor.Linear {
    @Override
    public INDArray reconstruct(INDArray measurements, LinearOperator op) {
        return op.adjoint(measurements);
    }

    @Override
    public INDArray adjointMap(INDArray x, LinearOperator op) {
        return op.apply(x);
    }

    /** ‖A^H‖ = ‖A‖, bounded by the operator's own proven bound. */
    @Override
    public double lipschitzUpperBound(LinearOperator op) {
        return op.normBound();
    }
}
