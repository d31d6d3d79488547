package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deqbench.solve.Lanczos;
import org.deqbench.solve.PowerIteration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The 3D convolution ({@code [k, k, k, Cin, Cout]} on D×H×W volumes) as a linear operator. */
@ExtendWith(WithoutOneDnnHelpers.class)
class ConvolutionOperator3dTest {
    private static final long[] VOLUME = {3, 5, 4};
    /** The operator is the convolution written out with loops, without bias (to double rounding). */
    @Test
    void applyMatchesADirectLoopImplementation() {
        INDArray w = FiniteDifferences.gaussian(1, 3, 3, 3, 2, 3);
        ConvolutionOperator op = new ConvolutionOperator(w, VOLUME);
        INDArray x = FiniteDifferences.gaussian(2, 2, 2, 3, 5, 4);
        INDArray y = op.apply(x);
        assertArrayEquals(new long[] {2, 3, 3, 5, 4}, y.shape());
        assertArrayEquals(DirectConvolution.conv3d(x, w, null).ravel().toDoubleVector(), y.ravel().toDoubleVector(),
                1e-12);
    }

    /** ⟨C x, y⟩ = ⟨x, C^T y⟩ to double rounding (1e-12 relative for sums of ~10³ terms). */
    @Test
    void adjointMatchesForward() {
        ConvolutionOperator op = new ConvolutionOperator(FiniteDifferences.gaussian(3, 3, 3, 3, 2, 3), VOLUME);
        INDArray x = FiniteDifferences.gaussian(4, 2, 2, 3, 5, 4);
        INDArray y = FiniteDifferences.gaussian(5, 2, 3, 3, 5, 4);
        INDArray adjoint = op.adjoint(y);
        assertArrayEquals(x.shape(), adjoint.shape());
        double left = FiniteDifferences.dot(op.apply(x), y);
        double right = FiniteDifferences.dot(x, adjoint);
        assertEquals(left, right, 1e-12 * Math.abs(left));
    }

    /**
     * The convolution on 3×5×4 volumes with 2 → 3 channels as an explicit 180×120 matrix: its
     * largest singular value (Commons Math SVD) is the operator norm. Restarted Lanczos (16-vector
     * cycles) to eigen-residual 1e-12 agrees to 1e-9 relative, and so does power iteration to
     * relative change 1e-13.
     */
    @Test
    void operatorNormMatchesLargestSingularValueOfDenseMatrix() {
        ConvolutionOperator op = new ConvolutionOperator(FiniteDifferences.gaussian(6, 3, 3, 3, 2, 3), VOLUME);
        double sigma = DenseConvolution.norm(op);
        PowerIteration.Result lanczos = op.operatorNorm(new Lanczos(16, 2000, 1e-12), 7);
        assertEquals(sigma, lanczos.value(), 1e-9 * sigma, "Lanczos after " + lanczos.iterations() + " applications");
        PowerIteration.Result power = op.operatorNorm(new PowerIteration(20000, 1e-13, 8));
        assertEquals(sigma, power.value(), 1e-9 * sigma, "power iteration after " + power.iterations());
    }

    @Test
    void rejectsAnImageSizeOfTheWrongRank() {
        INDArray w = FiniteDifferences.gaussian(9, 3, 3, 3, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConvolutionOperator(w, 5, 4));
        assertEquals(true, e.getMessage().contains("{D, H, W}"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new ConvolutionOperator(FiniteDifferences.gaussian(9, 3, 3, 5, 2, 3), VOLUME));
    }
}
