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

class LanczosTest {

    @Test
    void matchesLargestSingularValueOfRandomDenseMatrix() {
        Random random = new Random(3);
        double[][] m = new double[40][25];
        for (double[] row : m) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextGaussian();
            }
        }
        double sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(m)).getSingularValues()[0];
        INDArray matrix = Nd4j.createFromArray(m);
        PowerIteration.Result r = new Lanczos(10, 200, 1e-12).largestSingularValue(
                v -> v.mmul(matrix.transpose()).mmul(matrix),
                PowerIteration.randomStart(new long[] {1, 25}, DataType.DOUBLE, 1));
        assertTrue(r.converged());
        // Eigen-residual 1e-12 bounds the eigenvalue error by 1e-12·θ; 1e-10 on σ is loose.
        assertEquals(sigma, r.value(), 1e-10 * sigma);
    }

    /**
     * Diagonal Gram operator with eigenvalues 1, 0.999, 0.998, … (clustered at the top, like a
     * convolution's): with 100 applications Lanczos is within 1e-6 of σ₁ = 1 and well ahead of
     * power iteration, which is still ≈1e-3 short.
     */
    @Test
    void convergesFarFasterThanPowerIterationOnClusteredSpectrum() {
        int n = 400;
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = 1.0 - 0.001 * i;
        }
        INDArray d = Nd4j.createFromArray(lambda).reshape(1, n);
        INDArray start = PowerIteration.randomStart(new long[] {1, n}, DataType.DOUBLE, 2);
        PowerIteration.Result lanczos = new Lanczos(20, 100, 0).largestSingularValue(v -> v.mul(d), start);
        PowerIteration.Result power = new PowerIteration(100, 0, 0).largestSingularValue(v -> v.mul(d), start);
        assertEquals(100, lanczos.iterations());
        assertTrue(1.0 - lanczos.value() <= 1e-6, "Lanczos error " + (1.0 - lanczos.value()));
        assertTrue(1.0 - power.value() >= 100 * (1.0 - lanczos.value()),
                "power " + (1.0 - power.value()) + " vs Lanczos " + (1.0 - lanczos.value()));
        assertTrue(lanczos.value() <= 1.0 + 1e-15, "Ritz values never exceed the top eigenvalue");
    }
}
