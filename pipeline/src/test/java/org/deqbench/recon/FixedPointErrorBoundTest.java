package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

/**
 * The error bound ‖x* − x̄‖ ≤ ‖T(x̄) − x̄‖ / (1 − L_T) on random small instances of DEQ-GD with a
 * linear regularizing gradient g(x) = γ x (norm γ known): T(x) = x − η(A^T(A x − b) + γ x) is
 * affine with the symmetric Jacobian I − η(A^T A + γ I), so L_T = max |1 − η μ| over its
 * eigenvalues μ of A^T A + γ I is exact, and x* = (A^T A + γ I)^{-1} A^T b.
 */
class FixedPointErrorBoundTest {

    @Test
    void boundIsNeverBelowTheTrueErrorOnRandomContractiveInstances() {
        Nd4j.getRandom().setSeed(3);
        int checked = 0;
        for (int trial = 0; trial < 40; trial++) {
            int m = 6;
            int n = 8;
            INDArray a = Nd4j.randn(DataType.DOUBLE, m, n).muli(0.3);
            double gamma = 0.05 + 0.5 * Nd4j.getRandom().nextDouble();
            INDArray normal = a.transpose().mmul(a).addi(Nd4j.eye(n).castTo(DataType.DOUBLE).muli(gamma));
            INDArray eig = Eigen.symmetricGeneralizedEigenvalues(normal.dup());
            double eta = 1.0 / eig.maxNumber().doubleValue();
            double lt = Math.max(Math.abs(1 - eta * eig.minNumber().doubleValue()), Math.abs(1 - eta * eig.maxNumber().doubleValue()));
            INDArray b = Nd4j.randn(DataType.DOUBLE, m, 1);
            INDArray xStar = InvertMatrix.invert(normal, false).mmul(a.transpose().mmul(b));
            INDArray xBar = Nd4j.randn(DataType.DOUBLE, n, 1);
            INDArray t = xBar.sub(normal.mmul(xBar).subi(a.transpose().mmul(b)).muli(eta));
            FixedPointErrorBound bound = FixedPointErrorBound.of(t.sub(xBar).norm2Number().doubleValue(), lt);
            double error = xStar.sub(xBar).norm2Number().doubleValue();
            assertTrue(lt < 1, "η = 1/λ_max makes T contractive, L_T = " + lt);
            // relative 1e-12: rounding of the dense solve only
            assertTrue(bound.bound() >= error * (1 - 1e-12), "trial " + trial + ": bound " + bound + " < error " + error);
            checked++;
        }
        assertTrue(checked == 40);
        assertTrue(Double.isInfinite(FixedPointErrorBound.of(1.0, 1.0).bound()), "no bound without contraction");
    }
}
