package org.deqbench.physics;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Operator algebra and spectral quantities of {@link LinearOperator}s. */
public final class Operators {
    private Operators() {
    }

    /**
     * The result of {@link #norm}: the estimate of ‖A‖₂ (largest singular value), the iterations
     * used and the last relative change of the estimate.
     */
    public record NormEstimate(double norm, int iterations, double relativeChange) {
    }

    /**
     * ‖A‖₂ by power iteration on A^H A (in float64): u = A^H A v for unit v, σ² ≈ ⟨v, u⟩ (the
     * Rayleigh quotient, whose error decays as (σ₂/σ₁)^{4k}, twice as fast as ‖u‖'s), v ← u / ‖u‖,
     * until the relative change of σ² is below {@code tolerance}. The estimate approaches ‖A‖ from
     * below; how fast depends on the gap between the two largest singular values (MRI operators with
     * normalised coil maps have many singular values close to 1, so their estimates converge to
     * the cluster quickly and to the exact top value slowly).
     *
     * @param batch batch size of the input (the norm of a batched operator is the largest norm
     *              over its examples)
     * @param seed  seed of the random start vector
     */
    public static NormEstimate norm(LinearOperator op, int batch, int maxIterations, double tolerance, long seed) {
        long[] d = op.domainShape();
        long[] shape = new long[d.length + 1];
        shape[0] = batch;
        System.arraycopy(d, 0, shape, 1, d.length);
        INDArray v = Noise.gaussian(shape, 1.0, new Random(seed), DataType.DOUBLE);
        v.divi(v.norm2Number().doubleValue());
        double sigma2 = 0;
        double change = Double.POSITIVE_INFINITY;
        int it = 0;
        while (it < maxIterations) {
            it++;
            INDArray u = op.normal(v).castTo(DataType.DOUBLE);
            double next = v.mul(u).sumNumber().doubleValue();
            double length = u.norm2Number().doubleValue();
            if (length == 0) {
                return new NormEstimate(0, it, 0);
            }
            change = Math.abs(next - sigma2) / next;
            sigma2 = next;
            v = u.divi(length);
            if (change < tolerance) {
                break;
            }
        }
        return new NormEstimate(Math.sqrt(Math.max(sigma2, 0)), it, change);
    }
}
