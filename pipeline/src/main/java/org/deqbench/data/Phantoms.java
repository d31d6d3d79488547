package org.deqbench.data;

import java.util.Random;

/**
 * Synthetic ground-truth images, drawn from a seeded stream. Complex phantoms are returned as
 * planes {@code [2, H, W]} (real, imaginary) and real ones as {@code [1, H, W]}, in double
 * precision, scaled so that the largest magnitude is 1.
 */
public final class Phantoms {
    private Phantoms() {
    }

    /**
     * Random ellipses: the magnitude is a sum of 4–9 ellipses (a large support ellipse plus
     * smaller ones of random centre, semi-axes, angle and intensity, as in Shepp–Logan), clipped at
     * 0; the phase is a smooth random polynomial of degree 2 in the normalised coordinates u, v
     * ∈ [−1, 1] with amplitude below π/2, as MR images have.
     *
     * @param complex whether to return [2, H, W] (magnitude · exp(i phase)) or [1, H, W] (magnitude)
     */
    public static double[] ellipses(int h, int w, boolean complex, Random rng) {
        double[] mag = new double[h * w];
        // the support: a large ellipse, like the skull/body outline of an anatomical slice
        addEllipse(mag, h, w, 0, 0, 0.75 + 0.15 * rng.nextDouble(), 0.8 + 0.15 * rng.nextDouble(),
                (rng.nextDouble() - 0.5) * 0.4, 0.5);
        int k = 3 + rng.nextInt(6);
        for (int e = 0; e < k; e++) {
            double a = 0.08 + 0.35 * rng.nextDouble();
            double b = 0.08 + 0.35 * rng.nextDouble();
            double cx = (rng.nextDouble() - 0.5) * 1.1;
            double cy = (rng.nextDouble() - 0.5) * 1.1;
            double angle = Math.PI * rng.nextDouble();
            double value = (rng.nextDouble() - 0.3) * 0.8;
            addEllipse(mag, h, w, cx, cy, a, b, angle, value);
        }
        for (int i = 0; i < mag.length; i++) {
            mag[i] = Math.max(0, mag[i]);
        }
        return withPhase(mag, h, w, complex, rng);
    }

    /** Adds {@code value} inside the ellipse ((u−cx)', (v−cy)') rotated by {@code angle}. */
    static void addEllipse(double[] img, int h, int w, double cx, double cy, double a, double b,
                           double angle, double value) {
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        for (int r = 0; r < h; r++) {
            double v = coordinate(r, h);
            for (int c = 0; c < w; c++) {
                double u = coordinate(c, w);
                double du = u - cx;
                double dv = v - cy;
                double p = (du * cos + dv * sin) / a;
                double q = (-du * sin + dv * cos) / b;
                if (p * p + q * q <= 1) {
                    img[r * w + c] += value;
                }
            }
        }
    }

    /** Pixel centre i of n in normalised coordinates [−1, 1]. */
    static double coordinate(int i, int n) {
        return n == 1 ? 0 : 2.0 * i / (n - 1) - 1;
    }

    /**
     * Scales {@code mag} to max 1 and, if complex, multiplies by exp(i φ) with a smooth random
     * φ(u, v) = Σ_{i+j ≤ 2} c_ij u^i v^j, |c_ij| ≤ π/6.
     */
    static double[] withPhase(double[] mag, int h, int w, boolean complex, Random rng) {
        double max = 0;
        for (double m : mag) {
            max = Math.max(max, m);
        }
        double s = max > 0 ? 1 / max : 1;
        int plane = h * w;
        if (!complex) {
            double[] out = new double[plane];
            for (int i = 0; i < plane; i++) {
                out[i] = mag[i] * s;
            }
            return out;
        }
        double[] c = new double[6];
        for (int i = 0; i < c.length; i++) {
            c[i] = (rng.nextDouble() - 0.5) * Math.PI / 3;
        }
        double[] out = new double[2 * plane];
        for (int r = 0; r < h; r++) {
            double v = coordinate(r, h);
            for (int q = 0; q < w; q++) {
                double u = coordinate(q, w);
                double phase = c[0] + c[1] * u + c[2] * v + c[3] * u * u + c[4] * u * v + c[5] * v * v;
                int i = r * w + q;
                out[i] = mag[i] * s * Math.cos(phase);
                out[plane + i] = mag[i] * s * Math.sin(phase);
            }
        }
        return out;
    }
}
