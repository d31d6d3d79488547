package org.deqbench.physics;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-coil Cartesian MRI (SENSE), A = M F S, for a batch of examples each with its own coil
 * maps and mask (MoDL, Aggarwal et al. 2019; MOL, Pramanik et al. 2023):
 * <pre>
 *   (A x)_c   = M ⊙ F(S_c ⊙ x)                 c = 1..C
 *   A^H y     = Σ_c conj(S_c) ⊙ F^H(M ⊙ y_c)
 *   A^H A x   = Σ_c conj(S_c) ⊙ F^H(M ⊙ F(S_c ⊙ x))
 * </pre>
 * F is the orthonormal centred 2D FFT of {@link Fft2}; M is a real mask (usually 0/1).
 *
 * <p>Shapes: domain {@code [2, H, W]} (complex image), range {@code [C, 2, H, W]} (k-space per
 * coil, zero where unsampled); parameters: coil maps {@code [B, C, 2, H, W]}, masks
 * {@code [B, H, W]}. A batch of B' inputs needs B' = B, or B = 1 (one parameter set shared by
 * the whole batch). One coil with S = 1 is single-coil MRI, A = M F.
 *
 * <p>Computes in double precision; returns the dtype of its input (float32 or float64).
 * Not thread-safe (per-operator scratch buffers).
 */
public final class MultiCoilMri implements LinearOperator {
    private final int batch;
    private final int coils;
    private final int h;
    private final int w;
    private final double[] maps;
    private final double[] masks;
    private final Fft2 fft;
    private final double[] tmp;

    /**
     * @param coilMaps {@code [B, C, 2, H, W]}
     * @param masks    {@code [B, H, W]}
     */
    public MultiCoilMri(INDArray coilMaps, INDArray masks) {
        long[] cs = coilMaps.shape();
        long[] ms = masks.shape();
        if (cs.length != 5 || cs[2] != 2) {
            throw new IllegalArgumentException("coil maps must be [B, coils, 2, H, W], found " + Arrays.toString(cs));
        }
        if (ms.length != 3 || ms[0] != cs[0] || ms[1] != cs[3] || ms[2] != cs[4]) {
            throw new IllegalArgumentException("masks must be [B, H, W] = " + Arrays.toString(new long[] {cs[0], cs[3], cs[4]})
                    + " to match coil maps " + Arrays.toString(cs) + ", found " + Arrays.toString(ms));
        }
        this.batch = Math.toIntExact(cs[0]);
        this.coils = Math.toIntExact(cs[1]);
        this.h = Math.toIntExact(cs[3]);
        this.w = Math.toIntExact(cs[4]);
        this.maps = HostArrays.toDouble(coilMaps);
        this.masks = HostArrays.toDouble(masks);
        this.fft = new Fft2(h, w);
        this.tmp = new double[2 * h * w];
    }

    public int coils() {
        return coils;
    }

    /** Number of parameter sets (examples) this operator holds. */
    public int batch() {
        return batch;
    }

    @Override
    public long[] domainShape() {
        return new long[] {2, h, w};
    }

    @Override
    public long[] rangeShape() {
        return new long[] {coils, 2, h, w};
    }

    @Override
    public INDArray apply(INDArray x) {
        int n = checkBatch(x, domainShape(), "apply");
        double[] in = HostArrays.toDouble(x);
        int plane = h * w;
        double[] out = new double[n * coils * 2 * plane];
        for (int b = 0; b < n; b++) {
            int p = batch == 1 ? 0 : b;
            int xo = b * 2 * plane;
            for (int c = 0; c < coils; c++) {
                int so = (p * coils + c) * 2 * plane;
                coilProduct(maps, so, in, xo, tmp, false);
                int yo = (b * coils + c) * 2 * plane;
                fft.forward(tmp, 0, out, yo);
                applyMask(out, yo, p);
            }
        }
        return HostArrays.fromDouble(out, new long[] {n, coils, 2, h, w}, x.dataType());
    }

    @Override
    public INDArray adjoint(INDArray y) {
        int n = checkBatch(y, rangeShape(), "adjoint");
        double[] in = HostArrays.toDouble(y);
        int plane = h * w;
        double[] out = new double[n * 2 * plane];
        for (int b = 0; b < n; b++) {
            int p = batch == 1 ? 0 : b;
            for (int c = 0; c < coils; c++) {
                int yo = (b * coils + c) * 2 * plane;
                System.arraycopy(in, yo, tmp, 0, 2 * plane);
                applyMask(tmp, 0, p);
                fft.inverse(tmp, 0, tmp, 0);
                accumulateConjProduct(maps, (p * coils + c) * 2 * plane, tmp, out, b * 2 * plane);
            }
        }
        return HostArrays.fromDouble(out, new long[] {n, 2, h, w}, y.dataType());
    }

    /** A^H A x without materialising the C-coil k-space of the whole batch. */
    @Override
    public INDArray normal(INDArray x) {
        int n = checkBatch(x, domainShape(), "normal");
        double[] in = HostArrays.toDouble(x);
        int plane = h * w;
        double[] out = new double[n * 2 * plane];
        for (int b = 0; b < n; b++) {
            int p = batch == 1 ? 0 : b;
            for (int c = 0; c < coils; c++) {
                int so = (p * coils + c) * 2 * plane;
                coilProduct(maps, so, in, b * 2 * plane, tmp, false);
                fft.forward(tmp, 0, tmp, 0);
                applyMask(tmp, 0, p);
                fft.inverse(tmp, 0, tmp, 0);
                accumulateConjProduct(maps, so, tmp, out, b * 2 * plane);
            }
        }
        return HostArrays.fromDouble(out, new long[] {n, 2, h, w}, x.dataType());
    }

    @Override
    public String describe() {
        return "MultiCoilMri(" + coils + " coils, " + h + "x" + w + ", " + batch + " parameter sets)";
    }

    private int checkBatch(INDArray a, long[] expected, String what) {
        long[] s = a.shape();
        if (!HostArrays.isBatchOf(s, expected)) {
            throw new IllegalArgumentException(describe() + "." + what + " expects " + HostArrays.batchShape(expected)
                    + ", found " + Arrays.toString(s));
        }
        int n = Math.toIntExact(s[0]);
        if (batch != 1 && n != batch) {
            throw new IllegalArgumentException(describe() + "." + what + " holds the parameters of " + batch
                    + " examples, found a batch of " + n);
        }
        return n;
    }

    /** out = S ⊙ x (or conj(S) ⊙ x) for one complex image. */
    private void coilProduct(double[] s, int so, double[] x, int xo, double[] out, boolean conj) {
        int plane = h * w;
        double sign = conj ? -1 : 1;
        for (int i = 0; i < plane; i++) {
            double sr = s[so + i];
            double si = sign * s[so + plane + i];
            double xr = x[xo + i];
            double xi = x[xo + plane + i];
            out[i] = sr * xr - si * xi;
            out[plane + i] = sr * xi + si * xr;
        }
    }

    /** out[oo..] += conj(S) ⊙ v. */
    private void accumulateConjProduct(double[] s, int so, double[] v, double[] out, int oo) {
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            double sr = s[so + i];
            double si = -s[so + plane + i];
            double vr = v[i];
            double vi = v[plane + i];
            out[oo + i] += sr * vr - si * vi;
            out[oo + plane + i] += sr * vi + si * vr;
        }
    }

    private void applyMask(double[] k, int ko, int p) {
        int plane = h * w;
        int mo = p * plane;
        for (int i = 0; i < plane; i++) {
            double m = masks[mo + i];
            k[ko + i] *= m;
            k[ko + plane + i] *= m;
        }
    }
}
