package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(WithoutOneDnnHelpers.class)
class ConvolutionNormBoundTest {
    /**
     * 2D, against the exact norm of the convolution ND4J computes (its dense matrix, Commons Math
     * SVD): never below it (the bound is proven; SVD is accurate to ~1e-14 relative) and within
     * 5 % above it. The gap is that of the circular convolution on the (n + k − 1)² grid over the
     * zero-padded one, which shrinks like 1/n² (on 8×8 images it reaches 4–7 %, on 64×64 it is
     * negligible); these sizes are the smallest for which 5 % holds. Gaps are printed.
     */
    @Test
    void boundsTheNd4jConvolutionFromAboveAndTightly() {
        int[][] cases = {{3, 2, 2, 14, 13}, {3, 1, 3, 16, 16}, {5, 1, 1, 24, 22}, {1, 3, 4, 5, 6}, {3, 1, 1, 20, 20}};
        for (int[] c : cases) {
            int k = c[0];
            INDArray w = FiniteDifferences.gaussian(31L * c[1] + c[4], k, k, c[1], c[2]);
            double truth = DenseConvolution.norm(new ConvolutionOperator(w, c[3], c[4]));
            ConvolutionNormBound.Result r = ConvolutionNormBound.of(w, c[3], c[4]);
            double ratio = r.bound() / truth;
            System.out.printf("2D k=%d %d->%d on %dx%d: bound/truth = %.6f%n", k, c[1], c[2], c[3], c[4], ratio);
            assertTrue(ratio >= 1, "bound " + r.bound() + " below the true norm " + truth);
            assertTrue(ratio <= 1.05, "bound " + r.bound() + " more than 5 % above the true norm " + truth);
        }
    }

    /**
     * 3D weights [kD, kH, kW, Cin, Cout] on volumes [C, D, H, W], and an even 2D kernel, against
     * dense matrices of the zero-padded convolution written out here (padding ⌊k/2⌋ before, as
     * "same" convolutions do; the bound holds for any padding). Never below; within 8 % on the
     * 8-voxel volumes a dense SVD affords (the circular relaxation's gap is largest on small
     * volumes: it is 7 % for 3×3×3 on 8³), within 5 % for the even 2D kernel.
     */
    @Test
    void boundsThreeDimensionalAndEvenKernelConvolutions() {
        int[][] cases3d = {{3, 3, 3, 1, 1, 8, 8, 8}, {3, 3, 1, 1, 1, 9, 8, 7}, {1, 3, 3, 2, 2, 3, 12, 12}};
        for (int[] c : cases3d) {
            long[] shape = {c[0], c[1], c[2], c[3], c[4]};
            double[] w = gaussian(7 + c[5] * c[7], c[0] * c[1] * c[2] * c[3] * c[4]);
            int[] spatial = {c[5], c[6], c[7]};
            double truth = denseNorm(w, shape, spatial);
            double bound = ConvolutionNormBound.of(w, shape, spatial).bound();
            System.out.printf("3D %s on %dx%dx%d: bound/truth = %.6f%n", java.util.Arrays.toString(shape),
                    c[5], c[6], c[7], bound / truth);
            assertTrue(bound >= truth, "bound " + bound + " below the true norm " + truth);
            assertTrue(bound <= 1.08 * truth, "bound " + bound + " more than 8 % above " + truth);
        }
        long[] even = {4, 2, 2, 3};
        double[] w = gaussian(99, 4 * 2 * 2 * 3);
        double truth = denseNorm(w, even, 16, 14);
        double bound = ConvolutionNormBound.of(w, even, 16, 14).bound();
        assertTrue(bound >= truth && bound <= 1.05 * truth, "even kernel: bound " + bound + ", true norm " + truth);
    }

    /**
     * A kernel whose circular and zero-padded norms coincide: a single tap (identity up to scale
     * per channel pair) has norm σ_max(W) on every grid, so the bound equals it to the headroom
     * η = 1e-8 plus rounding.
     */
    @Test
    void singleTapKernelGivesTheMatrixNormToTheHeadroom() {
        INDArray w = FiniteDifferences.gaussian(5, 1, 1, 4, 6);
        double matrixNorm = new SingularValueDecomposition(new Array2DRowRealMatrix(
                w.reshape(4, 6).toDoubleMatrix())).getSingularValues()[0];
        double bound = ConvolutionNormBound.of(w, 7, 7).bound();
        assertTrue(bound >= matrixNorm);
        assertEquals(matrixNorm, bound, 1e-7 * matrixNorm);
    }

    @Test
    void zeroKernelHasZeroNormAndMismatchedShapesAreRejected() {
        assertEquals(0.0, ConvolutionNormBound.of(Nd4j.zeros(DataType.DOUBLE, 3, 3, 2, 2), 4, 4).bound(), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvolutionNormBound.of(Nd4j.zeros(DataType.DOUBLE, 3, 3, 2, 2), 4, 4, 4));
        assertTrue(e.getMessage().contains("[3, 3, 2, 2]"), e.getMessage());
    }

    private static double[] gaussian(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        }
        return v;
    }

    /**
     * ‖C‖₂ of y[o, i] = Σ_{c, a} W[a, c, o] x[c, i + a − ⌊k/2⌋] (multi-index i, a; zero outside),
     * the cross-correlation ND4J's "same" convolutions compute, as a dense matrix.
     */
    private static double denseNorm(double[] w, long[] shape, int... spatial) {
        int d = spatial.length;
        int[] k = new int[d];
        int taps = 1;
        int voxels = 1;
        for (int j = 0; j < d; j++) {
            k[j] = (int) shape[j];
            taps *= k[j];
            voxels *= spatial[j];
        }
        int cin = (int) shape[d];
        int cout = (int) shape[d + 1];
        double[][] m = new double[cout * voxels][cin * voxels];
        int[] i = new int[d];
        int[] a = new int[d];
        for (int out = 0; out < voxels; out++) {
            unravel(out, spatial, i);
            for (int t = 0; t < taps; t++) {
                unravel(t, k, a);
                int in = 0;
                boolean inside = true;
                for (int j = 0; j < d; j++) {
                    int src = i[j] + a[j] - k[j] / 2;
                    inside &= src >= 0 && src < spatial[j];
                    in = in * spatial[j] + src;
                }
                if (!inside) {
                    continue;
                }
                for (int c = 0; c < cin; c++) {
                    for (int o = 0; o < cout; o++) {
                        m[o * voxels + out][c * voxels + in] += w[(t * cin + c) * cout + o];
                    }
                }
            }
        }
        return new SingularValueDecomposition(new Array2DRowRealMatrix(m, false)).getSingularValues()[0];
    }

    private static void unravel(int index, int[] dims, int[] out) {
        for (int j = dims.length - 1; j >= 0; j--) {
            out[j] = index % dims[j];
            index /= dims[j];
        }
    }
}
