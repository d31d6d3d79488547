package org.deqbench.physics;

import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.jtransforms.fft.DoubleFFT_1D;
import org.jtransforms.fft.DoubleFFT_2D;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A^H A of 2D and 2D+time multi-coil MRI ({@link MultiCoilMri}) in the shifted, interleaved layout
 * in which the FFT runs, so that a solver pays for the centring shifts only when it loads and
 * stores its vectors, never inside A^H A.
 *
 * <p>With the centred transform of {@link Fft2}, F = P_f D P_i / sqrt(H W) (P_i = ifftshift,
 * P_f = fftshift = P_i⁻¹, D the unnormalised DFT), and a diagonal mask M,
 * <pre>
 *   F^H M² F = P_f D^H (P_i M² P_f) D P_i / (H W) = P_f D^H diag(M') D P_i / (H W),   M' = ifftshift(M²)
 * </pre>
 * (M² because A^H A = S^H F^H M^T M F S; for the usual 0/1 masks M² = M)
 * so within A^H A the two inner shifts cancel. In the layout u = P_i x (per frame, real and
 * imaginary parts interleaved as the FFT wants them), with pre-shifted coil maps S'_c = P_i S_c,
 * <pre>
 *   P_i A^H A P_f u = Σ_c conj(S'_c) ⊙ D^H( M' ⊙ D(S'_c ⊙ u) ) / (H W)
 * </pre>
 * <b>Column-sampled masks.</b> When every mask is constant down its columns (Cartesian sampling of
 * phase-encode columns, {@link Masks#cartesianColumns}), M' = 1 ⊗ m' and D = D_y ⊗ D_x, so
 * D^H diag(M') D = (D_y^H D_y) ⊗ (D_x^H diag(m') D_x) = H · I ⊗ (D_x^H diag(m') D_x): only the
 * length-W transforms along the rows remain, half of the 2D FFT's work, each row with weight 1/W.
 *
 * <p><b>Row lengths with a large prime factor.</b> D_x^H diag(m') D_x is circulant (first column
 * W·p below), so applying it is a circular convolution of length W. JTransforms transforms lengths
 * whose factors are not all 2, 3 or 5 through a generic pass that costs O(W·q) per prime factor q:
 * for W = 232 = 8·29 that pass had 836 of the 1,139 Java execution samples of a flight recording
 * of {@code bench profile-step} (MoDL at 256×232 with 12 coils, three steps, whose conjugate
 * gradients took 3.8 of a step's 5.5 s). For such W
 * the rows are convolved instead through a power-of-two transform of length L ≥ 2W − 1 with the
 * kernel's spectrum computed once ({@link #rowConvolutionLength}): y[j] = z[j + W − 1], where z is
 * the linear convolution of the row with the kernel e[t] = W p[(t − W + 1) mod W], t = 0 … 2W − 2,
 * which the length-L transform computes without wrap-around for those j.
 *
 * <p><b>Few sampled columns.</b> The same circulant has rank r = the number of sampled columns,
 * so where two gemms over all rows and coils of a frame cost less than the row transforms
 * ({@link #gemmCheaper}) the rows go through {@link RowGemm} instead (for 256×232 at 6×, 39 of
 * 232 columns), in float32 for float32 solves ({@link #inPrecision}). The system property
 * {@value RowPath#PROPERTY} ({@code auto}, {@code gemm}, {@code transform}) forces a path.
 *
 * <p><b>Exact inverse.</b> In the same column-sampled case A^H A acts on every image row on its
 * own: for row r (W complex values) it is the W×W Hermitian matrix
 * <pre>
 *   N_r[j][k] = p[(j − k) mod W] · Σ_c conj(S'_c[r, j]) S'_c[r, k],   p[d] = Σ_f (m'_f / W) exp(2πi f d / W)
 * </pre>
 * (D_x^H diag(m') D_x / W is circulant with first column p), so (μ I + ν A^H A)^{-1} is one W×W
 * Cholesky factorisation per row, mask frame and parameter set, and two triangular solves per row
 * ({@link #inverse}), offered as a preconditioner while the blocks fit in {@link #INVERSE_BUDGET}.
 *
 * <p>Image rows (column-sampled masks) or frames (otherwise) are independent given u, so they are
 * shared out between the available processors (the common fork-join pool), each part with its own
 * transform and scratch; every output value is summed over the coils in the same order whatever
 * the split, so results do not depend on the thread count. The result is the same operator as
 * {@link MultiCoilMri#normal} up to rounding (a test checks it against A^H(A x) to 1e-12 in
 * double). One instance must not be used by two callers at once (shared scratch).
 */
final class ShiftedMriNormal implements HostNormal {
    private final int batch;
    private final int coils;
    private final int frames;
    private final int h;
    private final int w;
    private final int hw;
    private final long[] shape;
    /** Pre-shifted, interleaved coil maps {@code [P][C][H·W][re, im]}. */
    private final double[] maps;
    /** Column-sampled masks: pre-shifted column weights m'/W (m' the squared mask) {@code [P][T][W]}; otherwise null. */
    private final double[] columnWeights;
    /** Otherwise: pre-shifted squared masks M'/(H W) {@code [P][T][H·W]}. */
    private final double[] weights;
    /** Most values the row blocks of {@link #inverse} may hold (32 MiB of doubles). */
    static final long INVERSE_BUDGET = 1L << 22;

    private RowBlockInverse inverse;

    /**
     * Column-sampled masks with a row length whose largest prime factor exceeds 5: the length L of
     * the power-of-two transform the rows are convolved through; otherwise 0.
     */
    private final int convolutionLength;
    /** With {@link #convolutionLength}: the kernels' length-L spectra {@code [P][T][L][re, im]}. */
    private final double[] kernelSpectra;
    private final DoubleFFT_1D[] convolutionFft;

    /** Column-sampled masks whose rows go through two gemms ({@link RowGemm}). */
    private final boolean gemms;
    /** The gemms in double and in float32, each made on first use (a float32 solve never needs the double ones). */
    private RowGemm rowGemmDouble;
    private RowGemm rowGemmFloat;
    /** {@link #inPrecision}'s float32 view. */
    private HostNormal float32;
    /** Column-sampled masks: the most sampled columns of any mask frame. */
    private final int sampled;

    /** Work is split into this many parts, each with its own transform and scratch. */
    private final int parts;
    private final DoubleFFT_1D[] rowFft;
    private final DoubleFFT_2D[] fft;
    private final double[][] tmp;

    /**
     * @param maps  coil maps as {@link MultiCoilMri} holds them, {@code [P, C, 2, H, W]} C order
     * @param masks masks {@code [P, T, H, W]} C order (T = 1 for 2D)
     */
    ShiftedMriNormal(int batch, int coils, int frames, int h, int w, double[] maps, double[] masks, long[] shape) {
        this(batch, coils, frames, h, w, maps, masks, shape, RowPath.fromProperty());
    }

    /**
     * @param rowPath how column-sampled rows are applied: {@link RowPath#AUTO} chooses by
     *                {@link #gemmCheaper}; the others force a path (for tests and benchmarks)
     */
    ShiftedMriNormal(int batch, int coils, int frames, int h, int w, double[] maps, double[] masks, long[] shape,
                     RowPath rowPath) {
        this.batch = batch;
        this.coils = coils;
        this.frames = frames;
        this.h = h;
        this.w = w;
        this.hw = h * w;
        this.shape = shape.clone();
        this.maps = new double[batch * coils * 2 * hw];
        for (int pc = 0; pc < batch * coils; pc++) {
            int src = pc * 2 * hw;
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    int from = src + unshifted(r, c);
                    int to = src + 2 * (r * w + c);
                    this.maps[to] = maps[from];
                    this.maps[to + 1] = maps[from + hw];
                }
            }
        }
        if (columnSampled(masks, batch * frames, h, w)) {
            this.columnWeights = new double[batch * frames * w];
            for (int pt = 0; pt < batch * frames; pt++) {
                for (int c = 0; c < w; c++) {
                    double m = masks[pt * hw + unshifted(0, c)];
                    columnWeights[pt * w + c] = m * m / w;
                }
            }
            this.weights = null;
        } else {
            this.weights = new double[batch * frames * hw];
            for (int pt = 0; pt < batch * frames; pt++) {
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        double m = masks[pt * hw + unshifted(r, c)];
                        weights[pt * hw + r * w + c] = m * m / hw;
                    }
                }
            }
            this.columnWeights = null;
        }
        this.parts = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.sampled = columnWeights == null ? 0 : mostSampledColumns(columnWeights, batch * frames, w);
        this.gemms = columnWeights != null && (rowPath == RowPath.GEMM
                || rowPath == RowPath.AUTO && gemmCheaper(w, sampled));
        this.rowFft = new DoubleFFT_1D[parts];
        this.fft = new DoubleFFT_2D[parts];
        this.convolutionFft = new DoubleFFT_1D[parts];
        this.tmp = new double[parts][];
        this.convolutionLength = columnWeights != null && !gemms && largestPrimeFactor(w) > 5
                ? Integer.highestOneBit(2 * w - 1) << 1 : 0;
        this.kernelSpectra = convolutionLength > 0 ? kernelSpectra(columnWeights, batch * frames, w, convolutionLength)
                : null;
        for (int q = 0; q < parts && !gemms; q++) {
            if (convolutionLength > 0) {
                convolutionFft[q] = new DoubleFFT_1D(convolutionLength);
                tmp[q] = new double[2 * convolutionLength];
            } else if (columnWeights != null) {
                rowFft[q] = new DoubleFFT_1D(w);
                tmp[q] = new double[2 * w];
            } else {
                fft[q] = new DoubleFFT_2D(h, w);
                tmp[q] = new double[2 * hw];
            }
        }
    }

    /** How the rows of column-sampled masks are applied. */
    enum RowPath {
        /** Two gemms when {@link #gemmCheaper} says so, transforms otherwise. */
        AUTO,
        /** Always two gemms ({@link RowGemm}). */
        GEMM,
        /** Always transforms (length W, or the power-of-two convolution). */
        TRANSFORM;

        /** System property that forces a path: {@code auto} (default), {@code gemm} or {@code transform}. */
        static final String PROPERTY = "deqbench.mri.rows";

        static RowPath fromProperty() {
            String v = System.getProperty(PROPERTY, "auto").trim();
            for (RowPath p : values()) {
                if (p.name().equalsIgnoreCase(v)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("-D" + PROPERTY + " must be auto, gemm or transform, found '" + v + "'");
        }
    }

    /**
     * How many times ND4J's double gemm outruns JTransforms per flop counted in {@link #gemmCheaper}:
     * 42 GFLOP/s for the two gemms of a 256×232, 12-coil slice against 6.4 GFLOP/s (5 N log₂ N
     * flops per transform) for its length-512 row transforms, one thread each.
     */
    static final double GEMM_SPEEDUP = 6.0;

    /**
     * Whether two gemms (16 W r flops per row and coil, r sampled columns) cost less than the row
     * transforms (two of length N, 5 N log₂ N flops each, N = W or the convolution length), with
     * the gemms' flops discounted by {@link #GEMM_SPEEDUP}.
     */
    static boolean gemmCheaper(int w, int sampled) {
        int n = largestPrimeFactor(w) > 5 ? Integer.highestOneBit(2 * w - 1) << 1 : w;
        double transforms = 2 * 5.0 * n * (Math.log(n) / Math.log(2));
        return 16.0 * w * sampled / GEMM_SPEEDUP < transforms;
    }

    /** The largest number of sampled (nonzero) columns of any mask frame. */
    private static int mostSampledColumns(double[] columnWeights, int count, int w) {
        int most = 0;
        for (int pt = 0; pt < count; pt++) {
            int n = 0;
            for (int c = 0; c < w; c++) {
                n += columnWeights[pt * w + c] != 0 ? 1 : 0;
            }
            most = Math.max(most, n);
        }
        return most;
    }

    /** Whether every H×W mask is the same in all its rows. */
    private static boolean columnSampled(double[] masks, int count, int h, int w) {
        int hw = h * w;
        for (int m = 0; m < count; m++) {
            for (int r = 1; r < h; r++) {
                if (!Arrays.equals(masks, m * hw + r * w, m * hw + (r + 1) * w, masks, m * hw, m * hw + w)) {
                    return false;
                }
            }
        }
        return true;
    }

    static int largestPrimeFactor(int n) {
        int largest = 1;
        for (int f = 2; (long) f * f <= n; f++) {
            while (n % f == 0) {
                largest = f;
                n /= f;
            }
        }
        return Math.max(largest, n);
    }

    /**
     * For every mask frame: the length-{@code l} transform of the kernel e[t] = W p[(t − W + 1) mod W],
     * t = 0 … 2W − 2 (zero beyond), where W p = D_x^H m' (m' the column weights, which hold the
     * factor 1/W) is the first column of D_x^H diag(m') D_x.
     */
    private static double[] kernelSpectra(double[] columnWeights, int count, int w, int l) {
        double[] spectra = new double[count * 2 * l];
        DoubleFFT_1D small = new DoubleFFT_1D(w);
        DoubleFFT_1D large = new DoubleFFT_1D(l);
        double[] column = new double[2 * w];
        for (int pt = 0; pt < count; pt++) {
            Arrays.fill(column, 0.0);
            for (int f = 0; f < w; f++) {
                column[2 * f] = columnWeights[pt * w + f];
            }
            small.complexInverse(column, false);
            int o = pt * 2 * l;
            for (int t = 0; t <= 2 * w - 2; t++) {
                int d = Math.floorMod(t - w + 1, w);
                spectra[o + 2 * t] = column[2 * d];
                spectra[o + 2 * t + 1] = column[2 * d + 1];
            }
            large.complexForward(spectra, o);
        }
        return spectra;
    }

    /** The length of the power-of-two transform the rows are convolved through, 0 if none (for tests). */
    int rowConvolutionLength() {
        return convolutionLength;
    }

    /** Whether column-sampled rows go through the two gemms (for tests). */
    boolean rowGemms() {
        return gemms;
    }

    /** The row gemms in {@code type}, made on first use. */
    private RowGemm rowGemm(DataType type) {
        if (type == DataType.FLOAT) {
            if (rowGemmFloat == null) {
                rowGemmFloat = new RowGemm(sampled, DataType.FLOAT);
            }
            return rowGemmFloat;
        }
        if (rowGemmDouble == null) {
            rowGemmDouble = new RowGemm(sampled, DataType.DOUBLE);
        }
        return rowGemmDouble;
    }

    /** Whether the row-transform form is in use (for tests). */
    boolean rowTransformsOnly() {
        return columnWeights != null;
    }

    /**
     * For column-sampled masks whose row blocks fit in {@link #INVERSE_BUDGET}: the exact
     * (μ I + ν A^H A)^{-1} by per-row Cholesky factors (kept for the last μ, ν asked); else null.
     */
    @Override
    public Inverse inverse(double mu, double nu) {
        if (columnWeights == null || (long) batch * frames * h * 2L * w * w > INVERSE_BUDGET) {
            return null;
        }
        if (inverse == null || inverse.mu != mu || inverse.nu != nu) {
            inverse = new RowBlockInverse(mu, nu);
        }
        return inverse;
    }

    /** Cholesky factors L (μ I + ν N_r = L L^H) of every row block, complex interleaved, row-major. */
    private final class RowBlockInverse implements Inverse {
        private final double mu;
        private final double nu;
        /** [P][T][H] blocks of W×W complex values (lower triangle used). */
        private final double[] factors;

        RowBlockInverse(double mu, double nu) {
            if (!(mu > 0) || !(nu > 0)) {
                throw new IllegalArgumentException("μ I + ν A^H A needs μ > 0 and ν > 0, found " + mu + ", " + nu);
            }
            this.mu = mu;
            this.nu = nu;
            int block = 2 * w * w;
            this.factors = new double[batch * frames * h * block];
            // p[d] per parameter set and frame: the circulant D_x^H diag(m'/W) D_x
            double[] circulant = new double[batch * frames * 2 * w];
            for (int pt = 0; pt < batch * frames; pt++) {
                for (int d = 0; d < w; d++) {
                    double re = 0;
                    double im = 0;
                    for (int f = 0; f < w; f++) {
                        double m = columnWeights[pt * w + f];
                        if (m != 0) {
                            double angle = 2 * Math.PI * (((long) f * d) % w) / w;
                            re += m * Math.cos(angle);
                            im += m * Math.sin(angle);
                        }
                    }
                    circulant[pt * 2 * w + 2 * d] = re;
                    circulant[pt * 2 * w + 2 * d + 1] = im;
                }
            }
            IntStream.range(0, batch * frames * h).parallel().forEach(unit -> factor(unit, circulant));
        }

        /** Builds μ I + ν N_r for block (p, t, r) and overwrites it with its Cholesky factor. */
        private void factor(int unit, double[] circulant) {
            int pt = unit / h;
            int r = unit % h;
            int p = pt / frames;
            int o = unit * 2 * w * w;
            double[] a = factors;
            for (int j = 0; j < w; j++) {
                for (int k = 0; k <= j; k++) {
                    // Σ_c conj(s_j) s_k
                    double cr = 0;
                    double ci = 0;
                    for (int c = 0; c < coils; c++) {
                        int so = (p * coils + c) * 2 * hw + 2 * r * w;
                        double sjr = maps[so + 2 * j];
                        double sji = maps[so + 2 * j + 1];
                        double skr = maps[so + 2 * k];
                        double ski = maps[so + 2 * k + 1];
                        cr += sjr * skr + sji * ski;
                        ci += sjr * ski - sji * skr;
                    }
                    int d = Math.floorMod(j - k, w);
                    double pr = circulant[pt * 2 * w + 2 * d];
                    double pi = circulant[pt * 2 * w + 2 * d + 1];
                    int i = o + 2 * (j * w + k);
                    a[i] = nu * (pr * cr - pi * ci) + (j == k ? mu : 0);
                    a[i + 1] = nu * (pr * ci + pi * cr);
                }
            }
            // in-place Cholesky of the lower triangle: a = L, a_jj real
            for (int j = 0; j < w; j++) {
                int jj = o + 2 * (j * w + j);
                double diag = a[jj];
                for (int k = 0; k < j; k++) {
                    int jk = o + 2 * (j * w + k);
                    diag -= a[jk] * a[jk] + a[jk + 1] * a[jk + 1];
                }
                if (!(diag > 0)) {
                    throw new IllegalStateException("μ I + ν A^H A is not positive definite in image row " + r
                            + " (pivot " + diag + ")");
                }
                double l = Math.sqrt(diag);
                a[jj] = l;
                a[jj + 1] = 0;
                for (int i = j + 1; i < w; i++) {
                    int ij = o + 2 * (i * w + j);
                    double sr = a[ij];
                    double si = a[ij + 1];
                    for (int k = 0; k < j; k++) {
                        int ik = o + 2 * (i * w + k);
                        int jk = o + 2 * (j * w + k);
                        // a_ik conj(a_jk)
                        sr -= a[ik] * a[jk] + a[ik + 1] * a[jk + 1];
                        si -= a[ik + 1] * a[jk] - a[ik] * a[jk + 1];
                    }
                    a[ij] = sr / l;
                    a[ij + 1] = si / l;
                }
            }
        }

        @Override
        public void apply(double[] in, double[] out) {
            int n = Math.toIntExact(HostNormal.batchShape(in.length, ShiftedMriNormal.this)[0]);
            if (batch != 1 && n != batch) {
                throw new IllegalArgumentException("MRI normal operator holds the parameters of " + batch
                        + " examples, found a batch of " + n);
            }
            IntStream.range(0, n * frames * h).parallel().forEach(unit -> {
                int frame = unit / h;
                int r = unit % h;
                int b = frame / frames;
                int p = batch == 1 ? 0 : b;
                int o = ((p * frames + frame % frames) * h + r) * 2 * w * w;
                int xo = frame * 2 * hw + 2 * r * w;
                solveRow(o, in, out, xo);
            });
        }

        /** out_row = (L L^H)^{-1} in_row: forward substitution with L, back substitution with L^H. */
        private void solveRow(int o, double[] in, double[] out, int xo) {
            double[] a = factors;
            for (int i = 0; i < w; i++) {
                double sr = in[xo + 2 * i];
                double si = in[xo + 2 * i + 1];
                for (int k = 0; k < i; k++) {
                    int ik = o + 2 * (i * w + k);
                    double yr = out[xo + 2 * k];
                    double yi = out[xo + 2 * k + 1];
                    sr -= a[ik] * yr - a[ik + 1] * yi;
                    si -= a[ik] * yi + a[ik + 1] * yr;
                }
                double l = a[o + 2 * (i * w + i)];
                out[xo + 2 * i] = sr / l;
                out[xo + 2 * i + 1] = si / l;
            }
            for (int i = w - 1; i >= 0; i--) {
                double sr = out[xo + 2 * i];
                double si = out[xo + 2 * i + 1];
                for (int k = i + 1; k < w; k++) {
                    int ki = o + 2 * (k * w + i);
                    double xr = out[xo + 2 * k];
                    double xi = out[xo + 2 * k + 1];
                    // conj(a_ki) x_k
                    sr -= a[ki] * xr + a[ki + 1] * xi;
                    si -= a[ki] * xi - a[ki + 1] * xr;
                }
                double l = a[o + 2 * (i * w + i)];
                out[xo + 2 * i] = sr / l;
                out[xo + 2 * i + 1] = si / l;
            }
        }
    }

    /** C-order index within an H×W plane of the value that ifftshift moves to (r, c). */
    private int unshifted(int r, int c) {
        return ((r + h / 2) % h) * w + (c + w / 2) % w;
    }

    @Override
    public long[] exampleShape() {
        return shape.clone();
    }

    @Override
    public double[] load(INDArray x) {
        long[] s = x.shape();
        if (!HostArrays.isBatchOf(s, shape)) {
            throw new IllegalArgumentException("MRI normal operator expects " + HostArrays.batchShape(shape)
                    + ", found " + Arrays.toString(s));
        }
        double[] planes = HostArrays.toDouble(x);
        double[] u = new double[planes.length];
        int plane = frames * hw;
        for (int b = 0; b < s[0]; b++) {
            for (int t = 0; t < frames; t++) {
                int re = b * 2 * plane + t * hw;
                int im = re + plane;
                int to = b * 2 * plane + 2 * t * hw;
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        int from = unshifted(r, c);
                        int i = to + 2 * (r * w + c);
                        u[i] = planes[re + from];
                        u[i + 1] = planes[im + from];
                    }
                }
            }
        }
        return u;
    }

    @Override
    public INDArray store(double[] u, DataType type) {
        long[] s = HostNormal.batchShape(u.length, this);
        double[] planes = new double[u.length];
        int plane = frames * hw;
        for (int b = 0; b < s[0]; b++) {
            for (int t = 0; t < frames; t++) {
                int re = b * 2 * plane + t * hw;
                int im = re + plane;
                int from = b * 2 * plane + 2 * t * hw;
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        int to = unshifted(r, c);
                        int i = from + 2 * (r * w + c);
                        planes[re + to] = u[i];
                        planes[im + to] = u[i + 1];
                    }
                }
            }
        }
        return HostArrays.fromDouble(planes, s, type);
    }

    /**
     * With the two row gemms, asked for float32: the same operator with the gemms in float32 (four
     * times ND4J's double rate here), their inputs rounded to float and their results summed over
     * the coils in double; relative error about 1e-7 per value (a test holds it to 1e-5 against the
     * double form). Otherwise this operator.
     */
    @Override
    public HostNormal inPrecision(DataType type) {
        if (type != DataType.FLOAT || !gemms) {
            return this;
        }
        if (float32 == null) {
            float32 = new HostNormal() {
                @Override
                public long[] exampleShape() {
                    return ShiftedMriNormal.this.exampleShape();
                }

                @Override
                public double[] load(INDArray x) {
                    return ShiftedMriNormal.this.load(x);
                }

                @Override
                public INDArray store(double[] v, DataType t) {
                    return ShiftedMriNormal.this.store(v, t);
                }

                @Override
                public Inverse inverse(double mu, double nu) {
                    return ShiftedMriNormal.this.inverse(mu, nu);
                }

                @Override
                public void normal(double[] in, double[] out) {
                    int n = checkedBatch(in, out);
                    Arrays.fill(out, 0, in.length, 0.0);
                    rowGemm(DataType.FLOAT).apply(n, in, out);
                }
            };
        }
        return float32;
    }

    /** The batch size of {@code in}, after checking it against the parameters held and {@code out}. */
    private int checkedBatch(double[] in, double[] out) {
        int n = Math.toIntExact(HostNormal.batchShape(in.length, this)[0]);
        if (batch != 1 && n != batch) {
            throw new IllegalArgumentException("MRI normal operator holds the parameters of " + batch
                    + " examples, found a batch of " + n);
        }
        if (out == in || out.length < in.length) {
            throw new IllegalArgumentException("MRI normal operator needs a separate output of " + in.length + " values");
        }
        return n;
    }

    @Override
    public void normal(double[] in, double[] out) {
        int n = checkedBatch(in, out);
        Arrays.fill(out, 0, in.length, 0.0);
        if (gemms) {
            rowGemm(DataType.DOUBLE).apply(n, in, out);
            return;
        }
        // Rows (column-sampled masks) or frames (otherwise) are independent and write disjoint
        // parts of out, so they are split between threads without changing any sum's order.
        int units = columnWeights != null ? n * frames * h : n * frames;
        int used = Math.min(parts, units);
        if (used == 1) {
            run(0, 0, units, in, out);
        } else {
            IntStream.range(0, used).parallel().forEach(q -> run(q, q * units / used, (q + 1) * units / used, in, out));
        }
    }

    /** Units [from, to) with scratch {@code q}: rows (b, t, r) or frames (b, t) in C order. */
    private void run(int q, int from, int to, double[] in, double[] out) {
        double[] t = tmp[q];
        for (int unit = from; unit < to; unit++) {
            if (columnWeights != null) {
                int frame = unit / h;
                int r = unit % h;
                int b = frame / frames;
                int p = batch == 1 ? 0 : b;
                int wo = (p * frames + frame % frames) * w;
                int xo = frame * 2 * hw + 2 * r * w;
                if (convolutionLength > 0) {
                    convolveRow(q, t, (p * frames + frame % frames) * 2 * convolutionLength, p, r, in, out, xo);
                    continue;
                }
                for (int c = 0; c < coils; c++) {
                    int so = (p * coils + c) * 2 * hw + 2 * r * w;
                    coilProduct(t, 2 * w, so, in, xo);
                    rowFft[q].complexForward(t);
                    for (int k = 0; k < w; k++) {
                        double m = columnWeights[wo + k];
                        t[2 * k] *= m;
                        t[2 * k + 1] *= m;
                    }
                    rowFft[q].complexInverse(t, false);
                    accumulateConjProduct(t, 2 * w, so, out, xo);
                }
            } else {
                int b = unit / frames;
                int p = batch == 1 ? 0 : b;
                int mo = (p * frames + unit % frames) * hw;
                int xo = unit * 2 * hw;
                for (int c = 0; c < coils; c++) {
                    int so = (p * coils + c) * 2 * hw;
                    coilProduct(t, 2 * hw, so, in, xo);
                    fft[q].complexForward(t);
                    for (int i = 0; i < hw; i++) {
                        double m = weights[mo + i];
                        t[2 * i] *= m;
                        t[2 * i + 1] *= m;
                    }
                    fft[q].complexInverse(t, false);
                    accumulateConjProduct(t, 2 * hw, so, out, xo);
                }
            }
        }
    }

    /** One image row through every coil, by convolution with the kernel whose spectrum starts at {@code ko}. */
    private void convolveRow(int q, double[] t, int ko, int p, int r, double[] in, double[] out, int xo) {
        int l = convolutionLength;
        for (int c = 0; c < coils; c++) {
            int so = (p * coils + c) * 2 * hw + 2 * r * w;
            coilProduct(t, 2 * w, so, in, xo);
            Arrays.fill(t, 2 * w, 2 * l, 0.0);
            convolutionFft[q].complexForward(t);
            for (int k = 0; k < l; k++) {
                double tr = t[2 * k];
                double ti = t[2 * k + 1];
                double er = kernelSpectra[ko + 2 * k];
                double ei = kernelSpectra[ko + 2 * k + 1];
                t[2 * k] = tr * er - ti * ei;
                t[2 * k + 1] = tr * ei + ti * er;
            }
            convolutionFft[q].complexInverse(t, true);
            // y[j] = z[j + W − 1]
            accumulateConjProduct(t, 2 * (w - 1), 2 * w, so, out, xo);
        }
    }

    /** t[0, len) = S'_c ⊙ u over {@code len} interleaved values. */
    private void coilProduct(double[] t, int len, int so, double[] u, int uo) {
        coilProduct(t, 0, len, so, u, uo);
    }

    /** t[to, to + len) = S'_c ⊙ u over {@code len} interleaved values. */
    private void coilProduct(double[] t, int to, int len, int so, double[] u, int uo) {
        for (int i = 0; i < len; i += 2) {
            double sr = maps[so + i];
            double si = maps[so + i + 1];
            double ur = u[uo + i];
            double ui = u[uo + i + 1];
            t[to + i] = sr * ur - si * ui;
            t[to + i + 1] = sr * ui + si * ur;
        }
    }

    /** out += conj(S'_c) ⊙ t over {@code len} interleaved values. */
    private void accumulateConjProduct(double[] t, int len, int so, double[] out, int oo) {
        accumulateConjProduct(t, 0, len, so, out, oo);
    }

    /** out += conj(S'_c) ⊙ t[to, to + len) over {@code len} interleaved values. */
    private void accumulateConjProduct(double[] t, int to, int len, int so, double[] out, int oo) {
        for (int i = 0; i < len; i += 2) {
            double sr = maps[so + i];
            double si = maps[so + i + 1];
            double vr = t[to + i];
            double vi = t[to + i + 1];
            out[oo + i] += sr * vr + si * vi;
            out[oo + i + 1] += sr * vi - si * vr;
        }
    }

    /**
     * Column-sampled rows by two real gemms over all rows and coils of a mask frame at once. With
     * the sampled columns k ∈ K (|K| = r) and weights m'_k / W, the row operator
     * D_x^H diag(m') D_x / W is a product of a W×r and an r×W matrix:
     * <pre>
     *   y_j = Σ_{k∈K} e^{2πi jk/W} (m'_k / W) Σ_l e^{−2πi lk/W} t_l,    t = S'_c ⊙ u (one image row, one coil)
     * </pre>
     * so for the C·H rows t of a frame, stacked as a matrix T (rows are row vectors), Y = (T G₁) G₂
     * with G₁[l][k] = (m'_k / W) e^{−2πi lk/W} and G₂[k][j] = e^{2πi jk/W}. In the interleaved layout
     * a complex row vector times a complex matrix g is a real row vector times the real 2×2 blocks
     * [[Re g, Im g], [−Im g, Re g]], so both products are real gemms ([C·H, 2W]·[2W, 2r] and
     * [C·H, 2r]·[2r, 2W], 16 W r flops per row and coil) on ND4J's BLAS, in double or float32.
     * Frames with fewer sampled columns than the most are padded with zero weights.
     */
    private final class RowGemm {
        private final DataType type;
        private final int rank;
        /** Per mask frame: G₁ {@code [2W, 2r]} and G₂ {@code [2r, 2W]}. */
        private final INDArray[] analysis;
        private final INDArray[] synthesis;

        RowGemm(int sampled, DataType type) {
            this.type = type;
            this.rank = Math.max(1, sampled);
            int r = rank;
            int count = batch * frames;
            this.analysis = new INDArray[count];
            this.synthesis = new INDArray[count];
            for (int pt = 0; pt < count; pt++) {
                double[] g1 = new double[2 * w * 2 * r];
                double[] g2 = new double[2 * r * 2 * w];
                int k = 0;
                for (int f = 0; f < w; f++) {
                    double m = columnWeights[pt * w + f];
                    if (m == 0) {
                        continue;
                    }
                    for (int l = 0; l < w; l++) {
                        double angle = 2 * Math.PI * (((long) l * f) % w) / w;
                        double re = Math.cos(angle);
                        double im = Math.sin(angle);
                        // G₁[l][k] = m e^{−iθ}, G₂[k][l] = e^{iθ}, each as the block [[re, im], [−im, re]]
                        block(g1, 2 * r, 2 * l, 2 * k, m * re, -m * im);
                        block(g2, 2 * w, 2 * k, 2 * l, re, im);
                    }
                    k++;
                }
                analysis[pt] = Nd4j.create(g1, new long[] {2L * w, 2L * r}, 'c').castTo(type);
                synthesis[pt] = Nd4j.create(g2, new long[] {2L * r, 2L * w}, 'c').castTo(type);
            }
        }

        /** The real 2×2 block of the complex entry g = re + i·im at (row, col) of a row-major matrix. */
        private static void block(double[] a, int columns, int row, int col, double re, double im) {
            a[row * columns + col] = re;
            a[row * columns + col + 1] = im;
            a[(row + 1) * columns + col] = -im;
            a[(row + 1) * columns + col + 1] = re;
        }

        /** out += A^H A in for {@code n} examples. */
        void apply(int n, double[] in, double[] out) {
            RowScratch t = RowScratch.of(type, coils * h, 2 * w, 2 * rank);
            for (int frame = 0; frame < n * frames; frame++) {
                int b = frame / frames;
                int p = batch == 1 ? 0 : b;
                int pt = p * frames + frame % frames;
                int xo = frame * 2 * hw;
                forUnits(coils * h, unit -> {
                    int c = unit / h;
                    int r = unit % h;
                    coilProduct(t, unit * 2 * w, (p * coils + c) * 2 * hw + 2 * r * w, in, xo + 2 * r * w);
                });
                t.put();
                Nd4j.gemm(t.rows, analysis[pt], t.coefficients, false, false, 1.0, 0.0);
                Nd4j.gemm(t.coefficients, synthesis[pt], t.rows, false, false, 1.0, 0.0);
                t.get();
                // every output row sums its coils in the same order, whatever the split
                forUnits(h, r -> {
                    for (int c = 0; c < coils; c++) {
                        accumulateConjProduct(t, (c * h + r) * 2 * w, (p * coils + c) * 2 * hw + 2 * r * w,
                                out, xo + 2 * r * w);
                    }
                });
            }
        }

        /** The scratch row at {@code to} = S'_c ⊙ u over one image row (2W interleaved values). */
        private void coilProduct(RowScratch t, int to, int so, double[] u, int uo) {
            int len = 2 * w;
            if (t.single != null) {
                float[] d = t.single;
                for (int i = 0; i < len; i += 2) {
                    double sr = maps[so + i];
                    double si = maps[so + i + 1];
                    double ur = u[uo + i];
                    double ui = u[uo + i + 1];
                    d[to + i] = (float) (sr * ur - si * ui);
                    d[to + i + 1] = (float) (sr * ui + si * ur);
                }
            } else {
                ShiftedMriNormal.this.coilProduct(t.doubles, to, len, so, u, uo);
            }
        }

        /** out += conj(S'_c) ⊙ the scratch row at {@code from}, over one image row. */
        private void accumulateConjProduct(RowScratch t, int from, int so, double[] out, int oo) {
            int len = 2 * w;
            if (t.single != null) {
                float[] v = t.single;
                for (int i = 0; i < len; i += 2) {
                    double sr = maps[so + i];
                    double si = maps[so + i + 1];
                    double vr = v[from + i];
                    double vi = v[from + i + 1];
                    out[oo + i] += sr * vr + si * vi;
                    out[oo + i + 1] += sr * vi - si * vr;
                }
            } else {
                ShiftedMriNormal.this.accumulateConjProduct(t.doubles, from, len, so, out, oo);
            }
        }

        /** Units [0, count) in order on one thread, or shared out when there are several processors. */
        private void forUnits(int count, IntConsumer body) {
            if (parts == 1) {
                for (int i = 0; i < count; i++) {
                    body.accept(i);
                }
            } else {
                IntStream.range(0, count).parallel().forEach(body);
            }
        }
    }

    /**
     * The row gemms' working arrays — the frame's rows {@code [C·H, 2W]} natively and on the host,
     * the coefficients {@code [C·H, 2r]} — kept per thread and reused by every operator of the same
     * sizes: training builds an operator per batch, and these arrays are the largest part of one
     * (12 MB at 256×232 with 12 coils in float32).
     */
    private static final class RowScratch {
        private static final ThreadLocal<RowScratch> KEPT = new ThreadLocal<>();

        private final DataType type;
        private final INDArray rows;
        private final INDArray coefficients;
        /** Host copy of {@link #rows}: float32 or double. */
        private final float[] single;
        private final double[] doubles;

        private RowScratch(DataType type, int rowCount, int columns, int rankColumns) {
            this.type = type;
            this.rows = Nd4j.create(type, rowCount, columns);
            this.coefficients = Nd4j.create(type, rowCount, rankColumns);
            this.single = type == DataType.FLOAT ? new float[rowCount * columns] : null;
            this.doubles = type == DataType.FLOAT ? null : new double[rowCount * columns];
        }

        static RowScratch of(DataType type, int rowCount, int columns, int rankColumns) {
            RowScratch t = KEPT.get();
            if (t == null || t.type != type || t.rows.size(0) != rowCount || t.rows.size(1) != columns
                    || t.coefficients.size(1) != rankColumns) {
                if (t != null) {
                    t.rows.close();
                    t.coefficients.close();
                }
                t = new RowScratch(type, rowCount, columns, rankColumns);
                KEPT.set(t);
            }
            return t;
        }

        void put() {
            if (single != null) {
                ((FloatPointer) rows.data().pointer()).put(single);
            } else {
                ((DoublePointer) rows.data().pointer()).put(doubles);
            }
        }

        void get() {
            if (single != null) {
                ((FloatPointer) rows.data().pointer()).get(single);
            } else {
                ((DoublePointer) rows.data().pointer()).get(doubles);
            }
        }
    }
}
