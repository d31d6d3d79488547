package org.deqbench.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PowerIterationTest {

    @Test
    void matchesLargestSingularValueAndVectorOfRandomDenseMatrix() {
        int rows = 30;
        int cols = 20;
        Random random = new Random(7);
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = random.nextGaussian();
            }
        }
        SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(m));
        double sigma = svd.getSingularValues()[0];
        double[] v1 = svd.getV().getColumn(0);

        INDArray matrix = Nd4j.createFromArray(m);
        // Vectors are rows [1, cols]: M v = v M^T, M^T u = u M.
        PowerIteration.Result result = new PowerIteration(5000, 1e-15, 11).largestSingularValue(
                v -> v.mmul(matrix.transpose()), u -> u.mmul(matrix), new long[] {1, cols}, DataType.DOUBLE);

        // σ converges at twice the rate of the vector; 1e-10 is far above double rounding.
        assertEquals(sigma, result.value(), 1e-10 * sigma);
        double dot = 0;
        double[] v = result.vector().toDoubleVector();
        for (int j = 0; j < cols; j++) {
            dot += v[j] * v1[j];
        }
        assertTrue(Math.abs(Math.abs(dot) - 1) <= 1e-6, "|<v, v1>| = " + Math.abs(dot));
        assertTrue(result.converged());
        assertTrue(result.residual() <= 1e-15);
    }

    @Test
    void seededStartIsReproducibleAndRestartContinues() {
        INDArray diag = Nd4j.createFromArray(new double[] {3, 2.9, 1, 0.5}).reshape(1, 4);
        PowerIteration few = new PowerIteration(3, 0, 5);
        PowerIteration.Result a = few.largestSingularValue(v -> v.mul(diag).mul(diag), new long[] {1, 4}, DataType.DOUBLE);
        PowerIteration.Result b = few.largestSingularValue(v -> v.mul(diag).mul(diag), new long[] {1, 4}, DataType.DOUBLE);
        assertEquals(a.value(), b.value(), 0.0, "same seed, same estimate");
        assertTrue(a.value() <= 3.0 + 1e-12, "the Rayleigh estimate never exceeds σ1");
        PowerIteration.Result more = few.largestSingularValue(v -> v.mul(diag).mul(diag), a.vector());
        assertTrue(3.0 - more.value() < 3.0 - a.value(), "restarting from the last vector keeps converging");
    }
}
