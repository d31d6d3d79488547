package org.deqbench.solve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ConjugateGradientTest {

    /** A = G^T G / n + μI: SPD with condition number of a few tens for n = 40. */
    private static double[][] randomSpd(int n, double mu, long seed) {
        Random random = new Random(seed);
        double[][] g = new double[n][n];
        for (double[] row : g) {
            for (int j = 0; j < n; j++) {
                row[j] = random.nextGaussian();
            }
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += g[k][i] * g[k][j];
                }
                a[i][j] = s / n + (i == j ? mu : 0);
            }
        }
        return a;
    }

    @Test
    void solvesRandomSpdSystemToDirectSolvePrecisionInDouble() {
        int n = 40;
        double[][] a = randomSpd(n, 0.1, 1);
        Random random = new Random(2);
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = random.nextGaussian();
        }
        RealMatrix am = new Array2DRowRealMatrix(a);
        RealVector direct = new CholeskyDecomposition(am).getSolver().solve(new ArrayRealVector(b));

        INDArray matrix = Nd4j.createFromArray(a);
        // x has shape [1, n]: M x = x A (A symmetric).
        SolveResult result = new ConjugateGradient(1e-14, 500)
                .solve(x -> x.mmul(matrix), Nd4j.createFromArray(new double[][] {b}), null);

        double[] x = result.x().ravel().toDoubleVector();
        RealVector diff = new ArrayRealVector(x).subtract(direct);
        double rel = diff.getNorm() / direct.getNorm();
        // Tolerance 1e-10: residual 1e-14 times a condition number of ~1e2 leaves ample margin.
        assertTrue(rel <= 1e-10, "relative error to the Cholesky solve " + rel);
        assertTrue(result.converged());
        assertEquals(result.iterations() + 1, result.residualHistory().length);
        assertTrue(result.residualHistory()[result.iterations()] <= 1e-14);
    }

    @Test
    void warmStartAtTheSolutionStopsImmediately() {
        int n = 10;
        INDArray matrix = Nd4j.createFromArray(randomSpd(n, 1.0, 3));
        INDArray b = Nd4j.rand(DataType.DOUBLE, 1, n);
        ConjugateGradient cg = new ConjugateGradient(1e-12, 100);
        SolveResult cold = cg.solve(x -> x.mmul(matrix), b, null);
        SolveResult warm = cg.solve(x -> x.mmul(matrix), b, cold.x());
        assertEquals(0, warm.iterations());
        assertEquals(1, warm.mapEvaluations(), "one evaluation for the start residual");
    }

    /**
     * Example i multiplies by diag(1, …, κ_i): a batch of three differently conditioned systems.
     * CG needs one iteration per distinct eigenvalue at most, so κ = 1 stops after one step.
     */
    @Test
    void batchedExamplesWithDifferentConditioningStopIndependently() {
        int n = 64;
        double[] kappa = {1.0, 10.0, 1e3};
        double[][] diag = new double[kappa.length][n];
        for (int i = 0; i < kappa.length; i++) {
            for (int j = 0; j < n; j++) {
                diag[i][j] = Math.pow(kappa[i], j / (double) (n - 1));
            }
        }
        INDArray d = Nd4j.createFromArray(diag).reshape(kappa.length, 1, 8, 8);
        INDArray b = Nd4j.rand(DataType.DOUBLE, kappa.length, 1, 8, 8).addi(0.5);
        ConjugateGradient cg = new ConjugateGradient(1e-10, 2000);
        SolveResult batched = cg.solve(x -> x.mul(d), b, null);

        assertTrue(batched.converged(), batched + " " + java.util.Arrays.toString(batched.exampleIterations()) + java.util.Arrays.toString(batched.exampleResiduals()));
        int[] its = batched.exampleIterations();
        assertEquals(1, its[0], "identity converges in one step");
        assertTrue(its[0] < its[1] && its[1] < its[2], "iterations grow with conditioning: "
                + java.util.Arrays.toString(its));
        for (int i = 0; i < kappa.length; i++) {
            INDArray di = d.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1));
            INDArray bi = b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup();
            SolveResult alone = cg.solve(x -> x.mul(di), bi, null);
            assertEquals(alone.iterations(), its[i], "example " + i + " stops where it stops alone");
            // Same arithmetic on the same row, so the solutions agree to rounding.
            assertArrayEquals(alone.x().ravel().toDoubleVector(),
                    batched.x().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).ravel().toDoubleVector(),
                    1e-12);
            double[] exact = b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).div(di).ravel().toDoubleVector();
            double[] got = alone.x().ravel().toDoubleVector();
            double err = 0;
            double ref = 0;
            for (int j = 0; j < n; j++) {
                err += (got[j] - exact[j]) * (got[j] - exact[j]);
                ref += exact[j] * exact[j];
            }
            // Residual 1e-10 times condition number up to 1e3.
            assertTrue(Math.sqrt(err / ref) <= 1e-6, "example " + i + " error " + Math.sqrt(err / ref));
        }
    }

    /**
     * The host solve (double[] vectors in a layout of the system's own) against the INDArray solve
     * on the same batch of three diagonal systems with 1, 3 and 6 distinct eigenvalues (condition
     * numbers 1, 10, 1e3), so exact CG stops after 1, 3 and 6 steps (round-off may add one) and both
     * solves stop at the same step; the system keeps each example reversed, so a layout mix-up would show. Same
     * per-example iteration counts and solutions to 1e-12 (the same arithmetic in double, summed in
     * another order); a warm start at the solution stops at once; a float32 right-hand side gets a
     * float32 solution.
     */
    @Test
    void hostSolveInAPermutedLayoutMatchesTheArraySolve() {
        int batch = 3;
        int n = 48;
        double[] kappa = {1.0, 10.0, 1e3};
        int[] distinct = {1, 3, 6};
        double[][] diag = new double[batch][n];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < n; j++) {
                int level = j % distinct[i];
                diag[i][j] = distinct[i] == 1 ? 1.0 : Math.pow(kappa[i], level / (double) (distinct[i] - 1));
            }
        }
        INDArray d = Nd4j.createFromArray(diag).reshape(batch, 1, 6, 8);
        INDArray b = Nd4j.rand(DataType.DOUBLE, batch, 1, 6, 8).addi(0.5);
        SpdSystem reversed = new SpdSystem() {
            @Override
            public double[] load(INDArray x) {
                double[] v = x.dup('c').data().asDouble();
                double[] u = new double[v.length];
                for (int i = 0; i < batch; i++) {
                    for (int j = 0; j < n; j++) {
                        u[i * n + j] = v[i * n + n - 1 - j];
                    }
                }
                return u;
            }

            @Override
            public INDArray store(double[] u, DataType type) {
                double[] v = new double[u.length];
                for (int i = 0; i < batch; i++) {
                    for (int j = 0; j < n; j++) {
                        v[i * n + n - 1 - j] = u[i * n + j];
                    }
                }
                return Nd4j.create(v, new long[] {batch, 1, 6, 8}, 'c').castTo(type);
            }

            @Override
            public void apply(double[] in, double[] out) {
                for (int i = 0; i < batch; i++) {
                    for (int j = 0; j < n; j++) {
                        out[i * n + j] = diag[i][n - 1 - j] * in[i * n + j];
                    }
                }
            }
        };
        ConjugateGradient cg = new ConjugateGradient(1e-10, 500);
        SolveResult host = cg.solve(reversed, b, null);
        SolveResult array = cg.solve(x -> x.mul(d), b, null);
        assertTrue(host.converged(), host.toString());
        assertArrayEquals(array.exampleIterations(), host.exampleIterations());
        for (int i = 0; i < batch; i++) {
            assertTrue(host.exampleIterations()[i] <= distinct[i] + 1, "example " + i + ": "
                    + host.exampleIterations()[i] + " steps for " + distinct[i] + " distinct eigenvalues (one more for round-off)");
        }
        assertArrayEquals(array.x().ravel().toDoubleVector(), host.x().ravel().toDoubleVector(), 1e-12);
        assertArrayEquals(b.shape(), host.x().shape());

        SolveResult warm = cg.solve(reversed, b, host.x());
        assertEquals(0, warm.iterations());
        assertEquals(1, warm.mapEvaluations(), "one evaluation for the start residual");

        SolveResult single = new ConjugateGradient(1e-5, 500).solve(reversed, b.castTo(DataType.FLOAT), null);
        assertEquals(DataType.FLOAT, single.x().dataType());
        assertTrue(single.converged() && single.finalResidual() <= 1e-5, single.toString());
    }

    @Test
    void convergesInFloat32ToSinglePrecisionTolerance() {
        int n = 30;
        INDArray matrix = Nd4j.createFromArray(randomSpd(n, 0.5, 4)).castTo(DataType.FLOAT);
        INDArray b = Nd4j.rand(DataType.FLOAT, 2, n);
        SolveResult result = new ConjugateGradient(1e-5, 200).solve(x -> x.mmul(matrix), b, null);
        assertTrue(result.converged(), result.toString());
        assertEquals(DataType.FLOAT, result.x().dataType());
        INDArray residual = b.sub(result.x().mmul(matrix));
        double rel = residual.norm2Number().doubleValue() / b.norm2Number().doubleValue();
        // The true residual may exceed the recursive one by float32 rounding (~1e-6 · cond).
        assertTrue(rel <= 1e-4, "true relative residual " + rel);
    }
}
