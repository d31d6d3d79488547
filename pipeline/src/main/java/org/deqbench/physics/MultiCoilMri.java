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
 * M is a real mask (usually 0/1). Three geometries share these equations:
 * <table>
 *   <caption>shapes without the batch axis</caption>
 *   <tr><th>geometry</th><th>x (domain)</th><th>A x (range)</th><th>S (per example)</th><th>M (per example)</th><th>F</th></tr>
 *   <tr><td>{@link #MultiCoilMri(INDArray, INDArray) 2D}</td><td>[2, H, W]</td><td>[C, 2, H, W]</td>
 *       <td>[C, 2, H, W]</td><td>[H, W]</td><td>{@link Fft2}</td></tr>
 *   <tr><td>{@link #dynamic 2D+time}</td><td>[2, T, H, W]</td><td>[C, 2, T, H, W]</td>
 *       <td>[C, 2, H, W], shared by the frames</td><td>[T, H, W], one mask per frame</td><td>{@link Fft2} per frame</td></tr>
 *   <tr><td>{@link #volume 3D}</td><td>[2, D, H, W]</td><td>[C, 2, D, H, W]</td>
 *       <td>[C, 2, D, H, W]</td><td>[D, H, W]</td><td>{@link Fft3}</td></tr>
 * </table>
 * The 3D geometry uses a 3D FFT (a 3D Cartesian acquisition: one readout axis and two
 * phase-encode axes, so undersampling couples the slices) rather than a 2D FFT per slice, which
 * would make it a multi-slice 2D problem no different from 2D+time.
 *
 * <p>Parameters come as {@code [B, ...]}; a batch of B' inputs needs B' = B, or B = 1 (one
 * parameter set shared by the whole batch). One coil with S = 1 is single-coil MRI, A = M F.
 * Computes in double precision; returns the dtype of its input. Not thread-safe (scratch buffers).
 */
public final class MultiCoilMri implements LinearOperator {
    /** How the image axes are transformed. */
    public enum Geometry { SLICE, DYNAMIC, VOLUME }

    private final Geometry geometry;
    private final int batch;
    private final int coils;
    private final int frames;
    private final int h;
    private final int w;
    /** Values per real plane of one example: T·H·W. */
    private final int plane;
    /** Values per real plane of one coil map: H·W (shared over frames) or T·H·W. */
    private final int mapPlane;
    private final double[] maps;
    private final double[] masks;
    private final Fft2 fft2;
    private final Fft3 fft3;
    private final double[] tmp;
    private ShiftedMriNormal shiftedNormal;

    /**
     * 2D multi-coil MRI.
     *
     * @param coilMaps {@code [B, C, 2, H, W]}
     * @param masks    {@code [B, H, W]}
     */
    public MultiCoilMri(INDArray coilMaps, INDArray masks) {
        this(Geometry.SLICE, coilMaps, masks);
    }

    /** 2D+time: coil maps {@code [B, C, 2, H, W]}, masks {@code [B, T, H, W]} (one per frame). */
    public static MultiCoilMri dynamic(INDArray coilMaps, INDArray masks) {
        return new MultiCoilMri(Geometry.DYNAMIC, coilMaps, masks);
    }

    /** 3D: coil maps {@code [B, C, 2, D, H, W]}, masks {@code [B, D, H, W]}, 3D FFT. */
    public static MultiCoilMri volume(INDArray coilMaps, INDArray masks) {
        return new MultiCoilMri(Geometry.VOLUME, coilMaps, masks);
    }

    private MultiCoilMri(Geometry geometry, INDArray coilMaps, INDArray masks) {
        this.geometry = geometry;
        long[] cs = coilMaps.shape();
        long[] ms = masks.shape();
        int mapRank = geometry == Geometry.VOLUME ? 6 : 5;
        int maskRank = geometry == Geometry.SLICE ? 3 : 4;
        String mapForm = geometry == Geometry.VOLUME ? "[B, coils, 2, D, H, W]" : "[B, coils, 2, H, W]";
        String maskForm = switch (geometry) {
            case SLICE -> "[B, H, W]";
            case DYNAMIC -> "[B, T, H, W]";
            case VOLUME -> "[B, D, H, W]";
        };
        if (cs.length != mapRank || cs[2] != 2) {
            throw new IllegalArgumentException(geometry + " MRI: coil maps must be " + mapForm + ", found " + Arrays.toString(cs));
        }
        if (ms.length != maskRank) {
            throw new IllegalArgumentException(geometry + " MRI: masks must be " + maskForm + ", found " + Arrays.toString(ms));
        }
        this.batch = Math.toIntExact(cs[0]);
        this.coils = Math.toIntExact(cs[1]);
        this.h = Math.toIntExact(cs[cs.length - 2]);
        this.w = Math.toIntExact(cs[cs.length - 1]);
        this.frames = geometry == Geometry.SLICE ? 1 : Math.toIntExact(ms[1]);
        boolean ok = ms[0] == cs[0] && ms[ms.length - 2] == h && ms[ms.length - 1] == w
                && (geometry != Geometry.VOLUME || cs[3] == frames);
        if (!ok) {
            throw new IllegalArgumentException(geometry + " MRI: masks " + maskForm + " " + Arrays.toString(ms)
                    + " do not match coil maps " + mapForm + " " + Arrays.toString(cs));
        }
        this.plane = frames * h * w;
        this.mapPlane = geometry == Geometry.VOLUME ? plane : h * w;
        this.maps = HostArrays.toDouble(coilMaps);
        this.masks = HostArrays.toDouble(masks);
        this.fft2 = geometry == Geometry.VOLUME ? null : new Fft2(h, w);
        this.fft3 = geometry == Geometry.VOLUME ? new Fft3(frames, h, w) : null;
        this.tmp = new double[2 * plane];
    }

    public Geometry geometry() {
        return geometry;
    }

    public int coils() {
        return coils;
    }

    /** Number of parameter sets (examples) this operator holds. */
    public int batch() {
        return batch;
    }

    /**
     * The coil maps this operator was built from, {@code [B, C, 2, H, W]} (3D: {@code [B, C, 2, D, H, W]}),
     * float64: for methods that rebuild A inside a graph (MoDL's unrolled SameDiff graph).
     */
    public INDArray coilMaps() {
        long[] shape = geometry == Geometry.VOLUME ? new long[] {batch, coils, 2, frames, h, w}
                : new long[] {batch, coils, 2, h, w};
        return HostArrays.fromDouble(maps.clone(), shape, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
    }

    /** The sampling masks, {@code [B, H, W]} (2D+time and 3D: {@code [B, T, H, W]}), float64. */
    public INDArray masks() {
        long[] shape = geometry == Geometry.SLICE ? new long[] {batch, h, w} : new long[] {batch, frames, h, w};
        return HostArrays.fromDouble(masks.clone(), shape, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
    }

    /**
     * ‖A‖ ≤ max|M| · max_p sqrt(Σ_c |S_c(p)|²): F is unitary, so ‖M F S x‖ ≤ max|M| ‖S x‖ and
     * ‖S x‖² = Σ_p |x_p|² Σ_c |S_c(p)|². Equal to 1 for 0/1 masks and maps normalised to Σ|S_c|² = 1.
     */
    @Override
    public double normBound() {
        double maxMask = 0;
        for (double m : masks) {
            maxMask = Math.max(maxMask, Math.abs(m));
        }
        double maxEnergy = 0;
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < mapPlane; p++) {
                double e = 0;
                for (int c = 0; c < coils; c++) {
                    int base = ((b * coils + c) * 2) * mapPlane + p;
                    double re = maps[base];
                    double im = maps[base + mapPlane];
                    e += re * re + im * im;
                }
                maxEnergy = Math.max(maxEnergy, e);
            }
        }
        return maxMask * Math.sqrt(maxEnergy);
    }

    @Override
    public long[] domainShape() {
        return geometry == Geometry.SLICE ? new long[] {2, h, w} : new long[] {2, frames, h, w};
    }

    @Override
    public long[] rangeShape() {
        return geometry == Geometry.SLICE ? new long[] {coils, 2, h, w} : new long[] {coils, 2, frames, h, w};
    }

    @Override
    public INDArray apply(INDArray x) {
        int n = checkBatch(x, domainShape(), "apply");
        double[] in = HostArrays.toDouble(x);
        double[] out = new double[n * coils * 2 * plane];
        for (int b = 0; b < n; b++) {
            int p = batch == 1 ? 0 : b;
            for (int c = 0; c < coils; c++) {
                coilProduct(mapOffset(p, c), in, b * 2 * plane, tmp);
                int yo = (b * coils + c) * 2 * plane;
                transform(tmp, 0, out, yo, false);
                applyMask(out, yo, p);
            }
        }
        return HostArrays.fromDouble(out, batchShape(n, rangeShape()), x.dataType());
    }

    @Override
    public INDArray adjoint(INDArray y) {
        int n = checkBatch(y, rangeShape(), "adjoint");
        double[] in = HostArrays.toDouble(y);
        double[] out = new double[n * 2 * plane];
        for (int b = 0; b < n; b++) {
            int p = batch == 1 ? 0 : b;
            for (int c = 0; c < coils; c++) {
                System.arraycopy(in, (b * coils + c) * 2 * plane, tmp, 0, 2 * plane);
                applyMask(tmp, 0, p);
                transform(tmp, 0, tmp, 0, true);
                accumulateConjProduct(mapOffset(p, c), tmp, out, b * 2 * plane);
            }
        }
        return HostArrays.fromDouble(out, batchShape(n, domainShape()), y.dataType());
    }

    /**
     * A^H A x coil by coil, without materialising the k-space of all coils. 2D and 2D+time take the
     * shifted form of {@link #hostNormal} (no centring shifts inside, row transforms only for
     * column-sampled masks); 3D transforms each coil image forward and back. The mask enters
     * squared (A^H A = S^H F^H M^T M F S), which matters only for masks that are not 0/1.
     */
    @Override
    public INDArray normal(INDArray x) {
        int n = checkBatch(x, domainShape(), "normal");
        if (geometry != Geometry.VOLUME) {
            HostNormal k = hostNormal();
            double[] u = k.load(x);
            double[] out = new double[u.length];
            k.normal(u, out);
            return k.store(out, x.dataType());
        }
        double[] in = HostArrays.toDouble(x);
        double[] out = new double[n * 2 * plane];
        for (int b = 0; b < n; b++) {
            int p = batch == 1 ? 0 : b;
            for (int c = 0; c < coils; c++) {
                int so = mapOffset(p, c);
                coilProduct(so, in, b * 2 * plane, tmp);
                transform(tmp, 0, tmp, 0, false);
                applyMask(tmp, 0, p);
                applyMask(tmp, 0, p);
                transform(tmp, 0, tmp, 0, true);
                accumulateConjProduct(so, tmp, out, b * 2 * plane);
            }
        }
        return HostArrays.fromDouble(out, batchShape(n, domainShape()), x.dataType());
    }

    /**
     * 2D and 2D+time: A^H A in the layout the FFT runs in (each frame ifftshifted, real and
     * imaginary parts interleaved), maps and masks shifted once when first asked; see
     * {@link ShiftedMriNormal}. 3D: the plain form.
     */
    @Override
    public HostNormal hostNormal() {
        if (geometry == Geometry.VOLUME) {
            return HostNormal.of(this);
        }
        if (shiftedNormal == null) {
            shiftedNormal = new ShiftedMriNormal(batch, coils, frames, h, w, maps, masks, domainShape());
        }
        return shiftedNormal;
    }

    /** A new 2D or 2D+time {@link ShiftedMriNormal} whose column-sampled rows take {@code path} (for tests). */
    ShiftedMriNormal shiftedNormal(ShiftedMriNormal.RowPath path) {
        if (geometry == Geometry.VOLUME) {
            throw new IllegalStateException("3D MRI has no shifted normal operator");
        }
        return new ShiftedMriNormal(batch, coils, frames, h, w, maps, masks, domainShape(), path);
    }

    @Override
    public String describe() {
        String size = (geometry == Geometry.SLICE ? "" : frames + "x") + h + "x" + w;
        return "MultiCoilMri(" + geometry.name().toLowerCase() + ", " + coils + " coils, " + size + ", "
                + batch + " parameter sets)";
    }

    private static long[] batchShape(int n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private int mapOffset(int p, int c) {
        return (p * coils + c) * 2 * mapPlane;
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

    /** F or F^H of one example block [2, T, H, W]. */
    private void transform(double[] src, int so, double[] dst, int dO, boolean inverse) {
        if (fft3 != null) {
            fft3.transform(src, so, so + plane, dst, dO, dO + plane, inverse);
            return;
        }
        int hw = h * w;
        for (int t = 0; t < frames; t++) {
            fft2.transform(src, so + t * hw, so + plane + t * hw, dst, dO + t * hw, dO + plane + t * hw, inverse);
        }
    }

    /** out = S_c ⊙ x for one example; maps broadcast over frames when shared. */
    private void coilProduct(int so, double[] x, int xo, double[] out) {
        for (int i = 0; i < plane; i++) {
            int m = i % mapPlane;
            double sr = maps[so + m];
            double si = maps[so + mapPlane + m];
            double xr = x[xo + i];
            double xi = x[xo + plane + i];
            out[i] = sr * xr - si * xi;
            out[plane + i] = sr * xi + si * xr;
        }
    }

    /** out[oo..] += conj(S_c) ⊙ v. */
    private void accumulateConjProduct(int so, double[] v, double[] out, int oo) {
        for (int i = 0; i < plane; i++) {
            int m = i % mapPlane;
            double sr = maps[so + m];
            double si = -maps[so + mapPlane + m];
            double vr = v[i];
            double vi = v[plane + i];
            out[oo + i] += sr * vr - si * vi;
            out[oo + plane + i] += sr * vi + si * vr;
        }
    }

    private void applyMask(double[] k, int ko, int p) {
        int mo = p * plane;
        for (int i = 0; i < plane; i++) {
            double m = masks[mo + i];
            k[ko + i] *= m;
            k[ko + plane + i] *= m;
        }
    }
}
