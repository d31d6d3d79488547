package org.deqbench.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.deqbench.physics.LinearOperator;
import org.deqbench.recon.Reconstructor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LipschitzAscentTest {

    /**
     * On f(b) = R b with R = diag(3, 2, 1, …) in a random basis the ascent is power iteration on
     * R^T R: the amplification rises monotonically (to rounding, 1e-12) to σ_max = 3 (within 1e-6
     * after 60 steps: the error shrinks like (2/3)^{2k}) and never exceeds it.
     */
    @Test
    void convergesToTheTopSingularValueFromBelow() {
        int n = 12;
        INDArray q = Nd4j.createFromArray(new org.apache.commons.math3.linear.QRDecomposition(
                new Array2DRowRealMatrix(Nd4j.randn(DataType.DOUBLE, n, n).toDoubleMatrix())).getQ().getData());
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = Math.max(3.0 - i, 0.1);
        }
        INDArray r = q.mmul(Nd4j.diag(Nd4j.createFromArray(s))).mmul(q.transpose());
        double sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(r.toDoubleMatrix())).getSingularValues()[0];
        Reconstructor.Linear map = new Reconstructor.Linear() {
            @Override public INDArray reconstruct(INDArray b, LinearOperator op) { return b.mmul(r.transpose()); }
            @Override public INDArray adjointMap(INDArray x, LinearOperator op) { return x.mmul(r); }
        };
        INDArray b = Nd4j.rand(DataType.DOUBLE, 1, n).addi(1);
        LipschitzAscent.Result res = LipschitzAscent.maximise(map, b, null, 0.1, 60, 0.0, 4);
        assertEquals(sigma, res.amplification(), 1e-6 * sigma);
        assertTrue(res.amplification() <= sigma * (1 + 1e-12));
        for (int k = 1; k < res.history().size(); k++) {
            assertTrue(res.history().get(k) >= res.history().get(k - 1) * (1 - 1e-12), "step " + k);
        }
    }

    /** A random direction has the requested norm and is zero where b is (unmeasured entries). */
    @Test
    void randomDirectionLivesOnMeasuredEntries() {
        INDArray b = Nd4j.createFromArray(1.0, 0.0, -2.0, 0.0, 0.5).reshape(1, 5);
        INDArray d = LipschitzAscent.randomDirection(b, 0.25, 7);
        assertEquals(0.25, d.norm2Number().doubleValue(), 1e-15);
        assertEquals(0.0, d.getDouble(0, 1), 0.0);
        assertEquals(0.0, d.getDouble(0, 3), 0.0);
    }
}
