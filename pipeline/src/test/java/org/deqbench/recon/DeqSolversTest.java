package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqbench.physics.Inpainting;
import org.deqbench.solve.AndersonAcceleration;
import org.deqbench.solve.FixedPointIteration;
import org.deqbench.spec.DeqSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The solves both deep-equilibrium reconstructions take from their deq settings. */
class DeqSolversTest {
    @Test
    void forwardAndBackwardSolversFollowTheDeqSettings() {
        DeqSolvers plain = new DeqSolvers(new DeqSpec(null, null, 40, 1e-3, "plain", null, "implicit", 30, 1e-5, null));
        assertEquals(new FixedPointIteration(40, 1e-3), plain.forward());
        assertEquals(new FixedPointIteration(30, 1e-5), plain.backward().solver());
        assertFalse(plain.backward().jacobianFree());
        DeqSolvers anderson = new DeqSolvers(new DeqSpec(null, null, 40, 1e-3, "anderson", 3, "jacobian-free", 30,
                1e-5, null));
        assertEquals(AndersonAcceleration.of(3, 40, 1e-3), anderson.forward());
        assertEquals(AndersonAcceleration.of(3, 30, 1e-5), anderson.backward().solver());
        assertTrue(anderson.backward().jacobianFree());
        assertEquals(1e-10, DeqSolvers.cgTolerance(DataType.DOUBLE));
        assertEquals(1e-5, DeqSolvers.cgTolerance(DataType.FLOAT));
    }

    /**
     * On inpainting A^H A is a 0/1 mask, so (A^H A + μ I)^{-1} A^H b is A^H b / (1 + μ) where
     * sampled and 0 elsewhere; CG in float64 reaches it to 1e-10 relative residual, so 1e-9 holds.
     */
    @Test
    void tikhonovStartSolvesTheRegularisedNormalEquations() {
        Nd4j.getRandom().setSeed(3);
        INDArray mask = Nd4j.create(new double[] {1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0}, 1, 4, 4)
                .castTo(DataType.DOUBLE);
        Inpainting op = new Inpainting(mask, 1);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 1, 1, 4, 4);
        INDArray aHb = op.adjoint(op.apply(x));
        double mu = 0.25;
        INDArray x0 = DeqSolvers.tikhonovStart(op, aHb, mu, 1e-10, 50);
        INDArray expected = aHb.div(1 + mu);
        assertEquals(0, x0.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue(), 1e-9);
    }
}
