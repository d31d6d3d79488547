package org.deqbench.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic ground truth drawn from a seeded stream: 2D images, 2D+time sequences and 3D volumes,
 * all built from ellipses (ellipsoids in 3D) whose intensities add up, as in the Shepp–Logan
 * phantom. Kinds:
 * <ul>
 *   <li>{@code ellipses}: a support ellipse and 3–8 ellipses of random centre, semi-axes, angle
 *       and (possibly negative) intensity;</li>
 *   <li>{@code shepp-logan}: the modified Shepp–Logan phantom (Toft's intensities), randomly
 *       scaled (0.9–1), rotated (±0.15 rad), the small structures' intensities jittered by ±10 %;</li>
 *   <li>{@code anatomy}: a body with a bright outer layer (fat), dark cavities and small
 *       structures, times a smooth random texture 1 + 0.12 Σ_k cos(2π f_k·(u, v, t) + φ_k) with
 *       2–10 cycles across the image, imitating tissue.</li>
 * </ul>
 * Complex phantoms multiply the magnitude by exp(i φ) with a smooth random phase
 * φ = Σ_{i+j ≤ 2} c_ij u^i v^j (+ a linear term in depth), |c_ij| ≤ π/6, as MR images have.
 * <b>Motion</b> (2D+time): the outline and the texture stay, the inner ellipses breathe
 * (semi-axes × 1 + 0.15 sin(2π t/T + ψ_e)) and drift (0.04 sin(…)), each with its own phase ψ_e.
 * <b>Volumes</b>: every ellipse becomes an ellipsoid with a depth centre and semi-axis; the
 * support spans the volume.
 *
 * <p>Outputs are C-order double arrays: {@code [C, H, W]} for images (C = 2 complex, 1 real:
 * the magnitude), {@code [2, T, H, W]} for sequences and volumes; magnitudes scaled to max 1.
 * Coordinates: u (columns), v (rows), t (depth) ∈ [−1, 1].
 */
public final class Phantoms {
    /** Phantom kinds, as in {@code source.phantom}. */
    public static final List<String> KINDS = List.of("ellipses", "shepp-logan", "anatomy");

    private Phantoms() {
    }

    /** One ellipse: centre (cx, cy, cz), semi-axes (a, b, c), in-plane angle, additive intensity. */
    private record Ellipse(double cx, double cy, double cz, double a, double b, double c, double angle, double value) {
    }

    /** A drawn phantom: its ellipses, motion, texture and phase parameters. */
    private record Model(List<Ellipse> ellipses, int support, double[] motionPhase, double[] motionDir,
                         double[][] texture, double[] phase) {
    }

    /** A 2D image {@code [C, H, W]} of the given kind. */
    public static double[] image(String kind, int h, int w, boolean complex, Random rng) {
        Model m = draw(kind, false, rng);
        double[] mag = new double[h * w];
        render(m, mag, 0, h, w, 0, Double.NaN, 1);
        return withPhase(m, mag, 1, h, w, complex);
    }

    /** A 2D+time sequence {@code [2, T, H, W]} (complex) of the given kind with periodic motion. */
    public static double[] sequence(String kind, int frames, int h, int w, Random rng) {
        Model m = draw(kind, false, rng);
        double[] mag = new double[frames * h * w];
        for (int t = 0; t < frames; t++) {
            render(m, mag, t * h * w, h, w, 0, 2 * Math.PI * t / frames, 1);
        }
        return withPhase(m, mag, frames, h, w, true);
    }

    /** A volume {@code [2, D, H, W]} (complex) of the given kind. */
    public static double[] volume(String kind, int depth, int h, int w, Random rng) {
        Model m = draw(kind, true, rng);
        double[] mag = new double[depth * h * w];
        for (int z = 0; z < depth; z++) {
            render(m, mag, z * h * w, h, w, coordinate(z, depth), Double.NaN, depth);
        }
        return withPhase(m, mag, depth, h, w, true);
    }

    /** Rejects an unknown kind, naming the spec key. */
    public static void checkKind(String kind) {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown phantom '" + kind + "' (source.phantom); expected one of " + KINDS);
        }
    }

    private static Model draw(String kind, boolean volume, Random rng) {
        checkKind(kind);
        List<Ellipse> es = new ArrayList<>();
        double[][] texture = null;
        switch (kind) {
            case "ellipses" -> {
                es.add(new Ellipse(0, 0, 0, 0.75 + 0.15 * rng.nextDouble(), 0.8 + 0.15 * rng.nextDouble(), 1.2,
                        (rng.nextDouble() - 0.5) * 0.4, 0.5));
                int k = 3 + rng.nextInt(6);
                for (int e = 0; e < k; e++) {
                    double a = 0.08 + 0.35 * rng.nextDouble();
                    double b = 0.08 + 0.35 * rng.nextDouble();
                    double cx = (rng.nextDouble() - 0.5) * 1.1;
                    double cy = (rng.nextDouble() - 0.5) * 1.1;
                    double cz = (rng.nextDouble() - 0.5) * 1.0;
                    double c = 0.3 + 0.6 * rng.nextDouble();
                    es.add(new Ellipse(cx, cy, cz, a, b, c, Math.PI * rng.nextDouble(), (rng.nextDouble() - 0.3) * 0.8));
                }
            }
            case "shepp-logan" -> {
                double s = 0.9 + 0.1 * rng.nextDouble();
                double rot = (rng.nextDouble() - 0.5) * 0.3;
                double cos = Math.cos(rot);
                double sin = Math.sin(rot);
                // modified Shepp–Logan (Toft 1996): value, a (x semi-axis), b (y), x0, y0, angle (deg), z0, c
                double[][] table = {
                    {1.0, .69, .92, 0, 0, 0, 0, .9},
                    {-.8, .6624, .874, 0, -.0184, 0, 0, .88},
                    {-.2, .11, .31, .22, 0, -18, -.25, .41},
                    {-.2, .16, .41, -.22, 0, 18, -.25, .32},
                    {.1, .21, .25, 0, .35, 0, -.25, .5},
                    {.1, .046, .046, 0, .1, 0, 0, .046},
                    {.1, .046, .046, 0, -.1, 0, 0, .046},
                    {.1, .046, .023, -.08, -.605, 0, 0, .02},
                    {.1, .023, .023, 0, -.606, 0, 0, .1},
                    {.1, .023, .046, .06, -.605, 0, .25, .1},
                };
                for (double[] r : table) {
                    // image rows grow downwards: v = −y
                    double x0 = r[3] * s;
                    double y0 = -r[4] * s;
                    double cx = x0 * cos - y0 * sin;
                    double cy = x0 * sin + y0 * cos;
                    // the skull and brain (|value| > 0.5) keep their intensities: jittering them would
                    // shift the whole background
                    double value = r[0] * (Math.abs(r[0]) > 0.5 ? 1 : 1 + 0.2 * (rng.nextDouble() - 0.5));
                    es.add(new Ellipse(cx, cy, r[6], r[1] * s, r[2] * s, volume ? r[7] : 1,
                            -Math.toRadians(r[5]) + rot, value));
                }
            }
            case "anatomy" -> {
                double a = 0.78 + 0.12 * rng.nextDouble();
                double b = 0.85 + 0.1 * rng.nextDouble();
                double angle = (rng.nextDouble() - 0.5) * 0.3;
                es.add(new Ellipse(0, 0, 0, a, b, 1.2, angle, 1.0));               // fat layer
                es.add(new Ellipse(0, 0, 0, a - 0.07, b - 0.07, 1.1, angle, -0.45)); // tissue inside
                int cavities = 1 + rng.nextInt(2);
                for (int e = 0; e < cavities; e++) {
                    es.add(new Ellipse((rng.nextDouble() - 0.5) * 0.5, (rng.nextDouble() - 0.5) * 0.5,
                            (rng.nextDouble() - 0.5) * 0.6, 0.08 + 0.12 * rng.nextDouble(), 0.15 + 0.2 * rng.nextDouble(),
                            0.3 + 0.4 * rng.nextDouble(), Math.PI * rng.nextDouble(), -0.4));
                }
                int small = 4 + rng.nextInt(6);
                for (int e = 0; e < small; e++) {
                    es.add(new Ellipse((rng.nextDouble() - 0.5) * 1.0, (rng.nextDouble() - 0.5) * 1.1,
                            (rng.nextDouble() - 0.5) * 1.0, 0.03 + 0.08 * rng.nextDouble(), 0.03 + 0.08 * rng.nextDouble(),
                            0.1 + 0.3 * rng.nextDouble(), Math.PI * rng.nextDouble(), (rng.nextDouble() - 0.4) * 0.5));
                }
                int k = 6;
                texture = new double[k][];
                for (int i = 0; i < k; i++) {
                    double f = 2 + 8 * rng.nextDouble();
                    double dir = 2 * Math.PI * rng.nextDouble();
                    texture[i] = new double[] {f * Math.cos(dir) / 2, f * Math.sin(dir) / 2,
                            (rng.nextDouble() - 0.5) * f / 2, 2 * Math.PI * rng.nextDouble()};
                }
            }
            default -> throw new AssertionError(kind);
        }
        // ellipses that stay still in 2D+time: the outline (and for Shepp–Logan the brain, for
        // the anatomy phantom the tissue layer inside the fat)
        int support = kind.equals("ellipses") ? 1 : 2;
        double[] motionPhase = new double[es.size()];
        double[] motionDir = new double[es.size()];
        for (int e = 0; e < es.size(); e++) {
            motionPhase[e] = 2 * Math.PI * rng.nextDouble();
            motionDir[e] = 2 * Math.PI * rng.nextDouble();
        }
        return new Model(es, support, motionPhase, motionDir, texture, randomPhase(rng));
    }

    /**
     * Writes the phantom's magnitude at depth t (used when {@code depth} &gt; 1: ellipsoid
     * cross-sections) and motion phase {@code cycle} (NaN: no motion) into {@code img[off ..]}.
     */
    private static void render(Model m, double[] img, int off, int h, int w, double t, double cycle, int depth) {
        double[] plane = new double[h * w];
        for (int e = 0; e < m.ellipses().size(); e++) {
            Ellipse el = m.ellipses().get(e);
            double a = el.a();
            double b = el.b();
            double cx = el.cx();
            double cy = el.cy();
            if (depth > 1) {
                double dz = (t - el.cz()) / el.c();
                if (Math.abs(dz) >= 1) {
                    continue;
                }
                double shrink = Math.sqrt(1 - dz * dz);
                a *= shrink;
                b *= shrink;
            }
            if (!Double.isNaN(cycle) && e >= m.support()) {
                double sCycle = Math.sin(cycle + m.motionPhase()[e]);
                a *= 1 + 0.15 * sCycle;
                b *= 1 + 0.15 * sCycle;
                cx += 0.04 * sCycle * Math.cos(m.motionDir()[e]);
                cy += 0.04 * sCycle * Math.sin(m.motionDir()[e]);
            }
            addEllipse(plane, h, w, cx, cy, a, b, el.angle(), el.value());
        }
        for (int r = 0; r < h; r++) {
            double v = coordinate(r, h);
            for (int c = 0; c < w; c++) {
                double u = coordinate(c, w);
                double val = Math.max(0, plane[r * w + c]);
                if (m.texture() != null && val > 0) {
                    double tex = 0;
                    for (double[] k : m.texture()) {
                        tex += Math.cos(Math.PI * (k[0] * u + k[1] * v + k[2] * t) + k[3]);
                    }
                    val *= 1 + 0.12 * tex;
                }
                img[off + r * w + c] = Math.max(0, val);
            }
        }
    }

    /** Adds {@code value} inside the ellipse centred at (cx, cy) with semi-axes (a, b) rotated by {@code angle}. */
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
     * Scales the magnitude {@code [T, H, W]} to max 1 and returns {@code [1, T, H, W]} (real) or
     * {@code [2, T, H, W]} with the model's smooth phase (T = 1 for images).
     */
    private static double[] withPhase(Model m, double[] mag, int frames, int h, int w, boolean complex) {
        double max = 0;
        for (double x : mag) {
            max = Math.max(max, x);
        }
        double s = max > 0 ? 1 / max : 1;
        int n = mag.length;
        if (!complex) {
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = mag[i] * s;
            }
            return out;
        }
        double[] c = m.phase();
        double[] out = new double[2 * n];
        for (int z = 0; z < frames; z++) {
            double t = frames == 1 ? 0 : coordinate(z, frames);
            for (int r = 0; r < h; r++) {
                double v = coordinate(r, h);
                for (int q = 0; q < w; q++) {
                    double u = coordinate(q, w);
                    double phase = c[0] + c[1] * u + c[2] * v + c[3] * u * u + c[4] * u * v + c[5] * v * v + c[6] * t;
                    int i = (z * h + r) * w + q;
                    out[i] = mag[i] * s * Math.cos(phase);
                    out[n + i] = mag[i] * s * Math.sin(phase);
                }
            }
        }
        return out;
    }

    /**
     * Multiplies a real magnitude image {@code [H, W]} (e.g. read from a file) by a smooth random
     * phase drawn from {@code rng}: returns {@code [2, H, W]}, magnitude scaled to max 1.
     */
    public static double[] withRandomPhase(double[] magnitude, int h, int w, Random rng) {
        Model m = new Model(List.of(), 0, new double[0], new double[0], null, randomPhase(rng));
        return withPhase(m, magnitude, 1, h, w, true);
    }

    private static double[] randomPhase(Random rng) {
        double[] phase = new double[7];
        for (int i = 0; i < phase.length; i++) {
            phase[i] = (rng.nextDouble() - 0.5) * Math.PI / 3;
        }
        return phase;
    }
}
