package org.deqbench.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.Masks;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.recon.CgSense;
import org.deqbench.recon.Reconstructor;
import org.deqbench.recon.ZeroFilled;
import org.deqbench.solve.ConjugateGradient;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ProjectedGradientAttackTest {
    /** The spec's defaults (steps, restarts, step size). */
    private static final ProjectedGradientAttack DEFAULT_ATTACK = new ProjectedGradientAttack(
            new ProjectedGradientAttack.Settings(org.deqbench.spec.AttackSpec.DEFAULT.steps(),
                    org.deqbench.spec.AttackSpec.DEFAULT.restarts(), org.deqbench.spec.AttackSpec.DEFAULT.stepSize()));

    /**
     * f(b) = R b for a random 30×40 matrix U diag(s) V^T with singular values s_i = 0.9^i (random
     * orthonormal U, V): the attack with the spec's default settings reaches at least 99 % of
     * σ_max(R) = 1 (dense SVD), and never exceeds it (it is a ratio of the map's own values, up to
     * 1e-12 rounding).
     */
    @Test
    void reachesTheTopSingularValueOfALinearMap() {
        Random rng = new Random(3);
        double[][] g = new double[40][40];
        for (double[] row : g) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        org.apache.commons.math3.linear.RealMatrix q = new org.apache.commons.math3.linear.QRDecomposition(
                new Array2DRowRealMatrix(g)).getQ();
        double[][] g30 = new double[30][30];
        for (double[] row : g30) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        org.apache.commons.math3.linear.RealMatrix u = new org.apache.commons.math3.linear.QRDecomposition(
                new Array2DRowRealMatrix(g30)).getQ();
        double[][] r = new double[30][40];
        for (int k = 0; k < 30; k++) {
            double s = Math.pow(0.9, k);
            for (int i = 0; i < 30; i++) {
                for (int j = 0; j < 40; j++) {
                    r[i][j] += s * u.getEntry(i, k) * q.getEntry(j, 39 - k);
                }
            }
        }
        double sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(r)).getSingularValues()[0];
        Reconstructor.Linear map = new MatrixMap(Nd4j.create(r));
        INDArray b = Nd4j.rand(DataType.DOUBLE, 1, 40).addi(0.5);
        INDArray x = map.reconstruct(b, null);
        ProjectedGradientAttack.Result res = DEFAULT_ATTACK.attack(map, b, x, null, 0.05 * b.norm2Number().doubleValue(), 9);
        assertTrue(res.amplification() >= 0.99 * sigma, res.amplification() + " < 0.99 x " + sigma);
        assertTrue(res.amplification() <= sigma * (1 + 1e-12));
        assertEquals(0.05 * b.norm2Number().doubleValue(), res.delta().norm2Number().doubleValue(), 1e-12);
    }

    /**
     * Single-coil Cartesian MRI with a unit coil map: A^H A is the projector F^H M F, so the
     * zero-filled map A^H has norm 1 and CG-SENSE (A^H A + λI)^{-1} A^H has norm 1/(1 + λ) on the
     * measured entries, exactly. The attack reaches 99 % of both; it perturbs only measured
     * entries (the unmeasured ones of δ are zero).
     */
    @Test
    void reachesTheAnalyticNormsOfZeroFilledAndCgSense() {
        int size = 16;
        Random rng = new Random(5);
        INDArray maps = Nd4j.zeros(DataType.DOUBLE, 1, 1, 2, size, size);
        maps.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(1.0);
        INDArray masks = Masks.cartesian(size, size, 3.0, 0.2, rng).castTo(DataType.DOUBLE).reshape(1, size, size);
        LinearOperator op = new MultiCoilMri(maps, masks);
        INDArray b = op.apply(Nd4j.rand(DataType.DOUBLE, 1, 2, size, size));
        double lambda = 0.5;
        Reconstructor.Linear[] methods = {new ZeroFilled(), new CgSense(lambda, new ConjugateGradient(1e-12, 200))};
        double[] analytic = {1.0, 1.0 / (1.0 + lambda)};
        for (int k = 0; k < methods.length; k++) {
            INDArray x = methods[k].reconstruct(b, op);
            ProjectedGradientAttack.Result res = DEFAULT_ATTACK.attack(methods[k], b, x, op,
                    0.01 * b.norm2Number().doubleValue(), 17);
            assertTrue(res.amplification() >= 0.99 * analytic[k], methods[k] + ": " + res.amplification());
            assertTrue(res.amplification() <= analytic[k] * (1 + 1e-8), methods[k] + ": " + res.amplification());
            double outside = res.delta().mul(b.eq(0.0).castTo(DataType.DOUBLE)).norm2Number().doubleValue();
            assertEquals(0.0, outside, 0.0, "perturbation on unmeasured entries");
        }
    }

    @Test
    void settingsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ProjectedGradientAttack.Settings(5, 0, 1.0));
        assertTrue(e.getMessage().contains("restarts"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ProjectedGradientAttack.Settings(5, 1, 0.0));
    }

    /** f(b) = R b for a dense matrix R, batch of one row vector. */
    private record MatrixMap(INDArray r) implements Reconstructor.Linear {
        @Override
        public INDArray reconstruct(INDArray measurements, LinearOperator op) {
            return measurements.mmul(r.transpose());
        }

        @Override
        public INDArray adjointMap(INDArray x, LinearOperator op) {
            return x.mmul(r);
        }
    }
}
