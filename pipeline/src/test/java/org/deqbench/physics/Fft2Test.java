package org.deqbench.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The FFT is unitary and centred as documented in {@link Fft2}. Tolerances: double round-off (1e-12). */
class Fft2Test {
    private static final double TOL = 1e-12;

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @ParameterizedTest
    @CsvSource({"8,8", "7,5", "6,9", "2,3"})
    void forwardPreservesNormAndInverseUndoesIt(int h, int w) {
        Fft2 f = new Fft2(h, w);
        double[] x = random(2 * h * w, 1);
        double[] k = new double[x.length];
        f.forward(x, 0, k, 0);
        assertEquals(norm(x), norm(k), TOL * norm(x), "‖F x‖ = ‖x‖");
        double[] back = new double[x.length];
        f.inverse(k, 0, back, 0);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], back[i], TOL, "F^H F x = x at " + i);
        }
        // and F F^H = I
        f.inverse(x, 0, k, 0);
        f.forward(k, 0, back, 0);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], back[i], TOL, "F F^H x = x at " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"8,8", "7,5", "4,9"})
    void constantImageMapsToOneCentredDcCoefficient(int h, int w) {
        double c = 0.7;
        double[] x = new double[2 * h * w];
        java.util.Arrays.fill(x, 0, h * w, c);
        double[] k = new double[x.length];
        new Fft2(h, w).forward(x, 0, k, 0);
        int dc = (h / 2) * w + w / 2;
        for (int i = 0; i < h * w; i++) {
            double expected = i == dc ? c * Math.sqrt(h * w) : 0;
            assertEquals(expected, k[i], TOL, "real part at " + i);
            assertEquals(0, k[h * w + i], TOL, "imaginary part at " + i);
        }
    }

    /**
     * Against the definition X[k] = Σ_m x[m] exp(−2πi (k−c)·(m−c)/N) / sqrt(HW), c = floor(N/2),
     * summed directly (independent of the shift code), on even and odd sizes.
     */
    @ParameterizedTest
    @CsvSource({"4,6", "5,3", "3,4"})
    void matchesDirectCentredDft(int h, int w) {
        double[] x = random(2 * h * w, 2);
        double[] k = new double[x.length];
        new Fft2(h, w).forward(x, 0, k, 0);
        int p = h * w;
        for (int kr = 0; kr < h; kr++) {
            for (int kc = 0; kc < w; kc++) {
                double re = 0;
                double im = 0;
                for (int mr = 0; mr < h; mr++) {
                    for (int mc = 0; mc < w; mc++) {
                        double ang = -2 * Math.PI * ((double) (kr - h / 2) * (mr - h / 2) / h
                                + (double) (kc - w / 2) * (mc - w / 2) / w);
                        double xr = x[mr * w + mc];
                        double xi = x[p + mr * w + mc];
                        re += xr * Math.cos(ang) - xi * Math.sin(ang);
                        im += xr * Math.sin(ang) + xi * Math.cos(ang);
                    }
                }
                double s = 1 / Math.sqrt(p);
                assertEquals(re * s, k[kr * w + kc], 1e-12, "real at " + kr + "," + kc);
                assertEquals(im * s, k[p + kr * w + kc], 1e-12, "imag at " + kr + "," + kc);
            }
        }
    }

    @Test
    void ndArrayFormTransformsEveryLeadingIndexAndKeepsDtype() {
        var x = Noise.gaussian(new long[] {2, 3, 2, 5, 4}, 1, new Random(3), org.nd4j.linalg.api.buffer.DataType.FLOAT);
        var k = Fft2.forward(x);
        assertEquals(org.nd4j.linalg.api.buffer.DataType.FLOAT, k.dataType());
        var back = Fft2.inverse(k);
        // float32 storage: relative agreement to float32 round-off
        assertEquals(0, back.sub(x).norm2Number().doubleValue() / x.norm2Number().doubleValue(), 1e-6);
        assertEquals(x.norm2Number().doubleValue(), k.norm2Number().doubleValue(), 1e-5 * x.norm2Number().doubleValue());
    }
}
