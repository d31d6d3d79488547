package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.OperatorRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Total variation: the discrete gradient's adjoint, and the primal-dual solver reaching the minimum. */
class TotalVariationTest {
    static final DataType D = DataType.DOUBLE;

    /** ⟨∇x, q⟩ = ⟨x, ∇^T q⟩ to rounding (1e-12 relative) on 2D and 3D shapes, real and complex. */
    @Test
    void gradientAdjointMatchesForward() {
        Random rng = new Random(1);
        for (long[] shape : new long[][] {{2, 1, 5, 4}, {1, 2, 3, 4, 5}}) {
            TotalVariation.Gradient g = new TotalVariation.Gradient(shape);
            int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            double[] x = rng.doubles(n).toArray();
            double[] q = rng.doubles((long) n * g.axes()).toArray();
            double[] gx = g.apply(x);
            double[] gtq = g.adjoint(q);
            double lhs = 0;
            double rhs = 0;
            for (int i = 0; i < gx.length; i++) {
                lhs += gx[i] * q[i];
            }
            for (int i = 0; i < n; i++) {
                rhs += x[i] * gtq[i];
            }
            assertEquals(lhs, rhs, 1e-12 * Math.abs(lhs), java.util.Arrays.toString(shape));
        }
    }

    /**
     * On a deblurring and an MRI operator the objective stops moving (1e-4 relative between 600 and
     * 1200 iterations, the O(1/k) rate's scale) and no random nearby point is lower: the minimiser
     * of a convex objective, not just a decrease.
     */
    @ParameterizedTest
    @ValueSource(strings = {"deblur", "mri"})
    void primalDualReachesTheMinimum(String name) {
        OperatorRegistry.Entry e = OperatorRegistry.all().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        LinearOperator op = e.create().get();
        Random rng = new Random(2);
        INDArray x = OperatorRegistry.randomBatch(e.batch(), op.domainShape(), rng, D);
        INDArray b = op.apply(x).addi(OperatorRegistry.randomBatch(e.batch(), op.rangeShape(), rng, D).muli(0.1));
        TotalVariation tv = new TotalVariation(0.2, 600);
        INDArray xHat = tv.reconstruct(b, op);
        double f = tv.objective(xHat, b, op);
        double fLonger = tv.objective(new TotalVariation(0.2, 1200).reconstruct(b, op), b, op);
        assertEquals(fLonger, f, 1e-4 * fLonger, "objective converged");
        assertTrue(f < tv.objective(op.adjoint(b), b, op), "below the start");
        for (int i = 0; i < 20; i++) {
            INDArray nearby = xHat.add(OperatorRegistry.randomBatch(e.batch(), op.domainShape(), rng, D).muli(1e-2));
            assertTrue(tv.objective(nearby, b, op) >= f - 1e-6 * f, "a random point 1e-2 away is not lower");
        }
        assertArrayEquals(x.shape(), xHat.shape());
    }
}
