package org.deqbench.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Blur and super-resolution agree with direct spatial implementations on small sizes (FFT
 * round-off: 1e-12 absolute on values of order 1).
 */
class BlurAndDecimationTest {
    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    /** (K ⊛ x)[i, j] = Σ K[a, b] x[(i − a + c) mod H, (j − b + c) mod W], c = k/2, then [::s, ::s]. */
    private static double[] direct(double[] x, int h, int w, double[] k, int ks, int s) {
        int c = ks / 2;
        double[] out = new double[(h / s) * (w / s)];
        for (int i = 0; i < h; i += s) {
            for (int j = 0; j < w; j += s) {
                double sum = 0;
                for (int a = 0; a < ks; a++) {
                    for (int b = 0; b < ks; b++) {
                        sum += k[a * ks + b] * x[Math.floorMod(i - a + c, h) * w + Math.floorMod(j - b + c, w)];
                    }
                }
                out[(i / s) * (w / s) + j / s] = sum;
            }
        }
        return out;
    }

    @Test
    void blurIsDirectPeriodicConvolutionEvenWithAnAsymmetricKernel() {
        int h = 7;
        int w = 6;
        double[] k = random(9, 1);
        double[] x = random(h * w, 2);
        Blur blur = new Blur(HostArrays.fromDouble(k, new long[] {3, 3}, DataType.DOUBLE), 1, h, w);
        double[] y = HostArrays.toDouble(blur.apply(HostArrays.fromDouble(x, new long[] {1, 1, h, w}, DataType.DOUBLE)));
        assertArrayEquals(direct(x, h, w, k, 3, 1), y, 1e-12);
    }

    @Test
    void superResolutionIsBlurThenEveryFactorthPixel() {
        int h = 12;
        int w = 9;
        var t = new org.deqbench.spec.TaskSpec("sr", org.deqbench.spec.Problem.SUPER_RESOLUTION, java.util.List.of(h, w),
                null, null, null, null, null, null, new org.deqbench.spec.BlurSpec(5, 1.3), 3, null, null);
        INDArray kernel = ForwardModels.sharedParameters(t).get(ForwardModels.KERNEL);
        LinearOperator sr = ForwardModels.operator(t, java.util.Map.of(ForwardModels.KERNEL, kernel));
        assertArrayEquals(new long[] {1, 4, 3}, sr.rangeShape());
        double[] x = random(h * w, 3);
        double[] y = HostArrays.toDouble(sr.apply(HostArrays.fromDouble(x, new long[] {1, 1, h, w}, DataType.DOUBLE)));
        assertArrayEquals(direct(x, h, w, HostArrays.toDouble(kernel), 5, 3), y, 1e-6,
                "float32 kernel values, double arithmetic");
    }

    @Test
    void decimationAdjointIsZeroFillingUpsampling() {
        Decimation d = new Decimation(2, 1, 4, 4);
        double[] y = {1, 2, 3, 4};
        double[] up = HostArrays.toDouble(d.adjoint(HostArrays.fromDouble(y, new long[] {1, 1, 2, 2}, DataType.DOUBLE)));
        assertArrayEquals(new double[] {1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0}, up, 0);
    }

    @Test
    void gaussianKernelIsNormalisedSymmetricAndPeaked() {
        double[] g = Blur.gaussianKernel(5, 1.0);
        double sum = 0;
        for (double v : g) {
            sum += v;
        }
        assertEquals(1, sum, 1e-12);
        assertEquals(g[0], g[24], 1e-15);
        assertEquals(g[7], g[17], 1e-15);
        assertTrue(g[12] > g[11] && g[11] > g[10]);
    }

    @Test
    void kernelLargerThanTheImageAndFactorNotDividingTheSizeAreRejectedNamingTheKey() {
        var big = HostArrays.fromDouble(Blur.gaussianKernel(9, 1), new long[] {9, 9}, DataType.DOUBLE);
        var e1 = assertThrows(IllegalArgumentException.class, () -> new Blur(big, 1, 8, 16));
        assertTrue(e1.getMessage().contains("blur.kernel_size"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new Decimation(3, 1, 8, 9));
        assertTrue(e2.getMessage().contains("factor"), e2.getMessage());
    }
}
