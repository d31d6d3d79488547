package org.deqbench.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The 3D FFT is unitary and centred like {@link Fft2} on every axis (double round-off, 1e-12). */
class Fft3Test {
    @Test
    void unitaryAndConstantMapsToTheCentredDc() {
        int d = 3;
        int h = 4;
        int w = 5;
        int n = d * h * w;
        Fft3 f = new Fft3(d, h, w);
        Random r = new Random(1);
        double[] x = new double[2 * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        double[] k = new double[2 * n];
        f.transform(x, 0, n, k, 0, n, false);
        double nx = 0;
        double nk = 0;
        for (int i = 0; i < x.length; i++) {
            nx += x[i] * x[i];
            nk += k[i] * k[i];
        }
        assertEquals(nx, nk, 1e-12 * nx);
        double[] back = new double[2 * n];
        f.transform(k, 0, n, back, 0, n, true);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], back[i], 1e-12);
        }
        double[] c = new double[2 * n];
        java.util.Arrays.fill(c, 0, n, 2.0);
        f.transform(c, 0, n, k, 0, n, false);
        int dc = ((d / 2) * h + h / 2) * w + w / 2;
        for (int i = 0; i < n; i++) {
            assertEquals(i == dc ? 2 * Math.sqrt(n) : 0, k[i], 1e-12, "real at " + i);
            assertEquals(0, k[n + i], 1e-12, "imag at " + i);
        }
    }

    /** Along depth the 3D transform is the centred 1D DFT, checked on an image constant in (H, W). */
    @Test
    void depthAxisFollowsTheCentredConvention() {
        int d = 3;
        int h = 2;
        int w = 2;
        int n = d * h * w;
        double[] x = new double[2 * n];
        double[] slice = {0.3, -1.1, 0.7};
        for (int z = 0; z < d; z++) {
            for (int i = 0; i < h * w; i++) {
                x[z * h * w + i] = slice[z];
            }
        }
        double[] k = new double[2 * n];
        new Fft3(d, h, w).transform(x, 0, n, k, 0, n, false);
        for (int kz = 0; kz < d; kz++) {
            double re = 0;
            double im = 0;
            for (int z = 0; z < d; z++) {
                double ang = -2 * Math.PI * (kz - d / 2) * (z - d / 2) / d;
                re += slice[z] * Math.cos(ang);
                im += slice[z] * Math.sin(ang);
            }
            // the constant (H, W) part sums to H W at the in-plane centre [h/2, w/2] (unnormalised DFT)
            int at = (kz * h + h / 2) * w + w / 2;
            assertEquals(re * h * w / Math.sqrt(n), k[at], 1e-12);
            assertEquals(im * h * w / Math.sqrt(n), k[n + at], 1e-12);
        }
    }
}
