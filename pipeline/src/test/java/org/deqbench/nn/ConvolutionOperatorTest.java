package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.deqbench.solve.PowerIteration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

@ExtendWith(WithoutOneDnnHelpers.class)
class ConvolutionOperatorTest {
    /** ⟨C x, y⟩ = ⟨x, C^T y⟩ to double rounding (1e-12 relative for sums of ~10² terms). */
    @Test
    void adjointMatchesForward() {
        ConvolutionOperator op = new ConvolutionOperator(FiniteDifferences.gaussian(1, 3, 3, 3, 5), 6, 7);
        INDArray x = FiniteDifferences.gaussian(2, 2, 3, 6, 7);
        INDArray y = FiniteDifferences.gaussian(3, 2, 5, 6, 7);
        double left = FiniteDifferences.dot(op.apply(x), y);
        double right = FiniteDifferences.dot(x, op.adjoint(y));
        assertEquals(left, right, 1e-12 * Math.abs(left));
    }

    /**
     * The convolution on 5×6 images with 2 → 3 channels as an explicit 90×60 matrix (columns =
     * images of unit vectors): its largest singular value (Commons Math SVD) is the operator norm.
     * Power iteration to relative change 1e-13 agrees to 1e-9 (σ converges quadratically).
     */
    @Test
    void operatorNormMatchesLargestSingularValueOfDenseMatrix() {
        int cin = 2;
        int cout = 3;
        int h = 5;
        int w = 6;
        ConvolutionOperator op = new ConvolutionOperator(FiniteDifferences.gaussian(4, 3, 3, cin, cout), h, w);
        double sigma = DenseConvolution.norm(op);
        PowerIteration.Result r = op.operatorNorm(new PowerIteration(20000, 1e-13, 9));
        assertEquals(sigma, r.value(), 1e-9 * sigma, "after " + r.iterations() + " iterations");
        System.out.println("dense-SVD check: power iterations " + r.iterations() + ", converged " + r.converged());
        // The naive bound, the norm of the reshaped [k²·Cin, Cout] matrix, is a different number.
        double[][] reshaped = op.weight().reshape('c', 9 * cin, cout).toDoubleMatrix();
        double matrixNorm = new SingularValueDecomposition(new Array2DRowRealMatrix(reshaped)).getSingularValues()[0];
        assertEquals(false, Math.abs(matrixNorm - sigma) < 1e-6 * sigma);
    }
}
