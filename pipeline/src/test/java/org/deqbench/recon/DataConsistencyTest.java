package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deqbench.physics.HostArrays;
import org.deqbench.physics.Masks;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.physics.OperatorRegistry;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.SolveResult;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Conjugate gradients on μ I + ν A^H A, plain and preconditioned with the operator's exact inverse. */
class DataConsistencyTest {
    /**
     * Column-sampled 2D MRI (two examples, 4 coils, 12×10, λ = 0.05 as MoDL's): preconditioned CG
     * meets 1e-12 in at most two steps (one in exact arithmetic, the inverse being exact) and
     * agrees with plain CG run to 1e-12 within 1e-9 relative (both within the tolerance times
     * M's condition number, about 21, of the exact solution); the residual it reports is the true
     * one, ‖b − M x‖ / ‖b‖ ≤ 1e-11.
     */
    @Test
    void preconditionedSolveMatchesPlainCgInOneOrTwoSteps() {
        Random rng = new Random(5);
        int h = 12;
        int w = 10;
        int coils = 4;
        double[] maps = new double[2 * coils * 2 * h * w];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = rng.nextGaussian() / Math.sqrt(coils);
        }
        double[] masks = new double[2 * h * w];
        for (int b = 0; b < 2; b++) {
            System.arraycopy(Masks.cartesianColumns(h, w, 4, 0.2, rng), 0, masks, b * h * w, h * w);
        }
        MultiCoilMri a = new MultiCoilMri(HostArrays.fromDouble(maps, new long[] {2, coils, 2, h, w}, DataType.DOUBLE),
                HostArrays.fromDouble(masks, new long[] {2, h, w}, DataType.DOUBLE));
        INDArray rhs = OperatorRegistry.randomBatch(2, a.domainShape(), rng, DataType.DOUBLE);

        SolveResult plain = new DataConsistency(a, 0.05, 1.0).solve(new ConjugateGradient(1e-12, 1000), rhs, null);
        SolveResult pre = new DataConsistency(a, 0.05, 1.0, true).solve(new ConjugateGradient(1e-12, 10), rhs, null);

        assertTrue(plain.converged() && plain.iterations() > 5, "plain CG needs many steps: " + plain);
        assertTrue(pre.converged() && pre.iterations() <= 2, "preconditioned CG: " + pre);
        double rel = pre.x().sub(plain.x()).norm2Number().doubleValue() / plain.x().norm2Number().doubleValue();
        assertTrue(rel <= 1e-9, "‖x_pre − x_plain‖ / ‖x_plain‖ = " + rel);
        INDArray trueResidual = rhs.sub(new DataConsistency(a, 0.05, 1.0).apply(pre.x()));
        double res = trueResidual.norm2Number().doubleValue() / rhs.norm2Number().doubleValue();
        assertTrue(res <= 1e-11, "‖b − M x‖ / ‖b‖ = " + res);
    }
}
