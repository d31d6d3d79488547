package org.deqbench.physics;

import java.util.Arrays;
import org.jtransforms.fft.DoubleFFT_2D;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Periodic (circular) convolution with a k×k kernel, channel by channel:
 * <pre>
 *   (A x)[i, j] = Σ_{a,b} K[a, b] · x[(i − a + c) mod H, (j − b + c) mod W],   c = floor(k/2)
 * </pre>
 * — in numpy/scipy {@code scipy.ndimage.convolve(x, K, mode="wrap")} for odd k. The adjoint is
 * the correlation with K (convolution with K flipped), equal to A for symmetric kernels such as
 * the Gaussian. Computed by the convolution theorem: A x = IDFT(DFT(x) · K̂), A^H y =
 * IDFT(DFT(y) · conj(K̂)), A^H A x = IDFT(DFT(x) · |K̂|²), with K̂ the DFT of K zero-padded to H×W
 * and rolled so that its centre sits at the origin. Deblurring in RERG (Willingham et al. 2024)
 * and the blur of super-resolution in ELDER (Zou et al. 2023).
 *
 * <p>Shapes: domain = range = {@code [C, H, W]}; one kernel for the whole batch. Computes in
 * double precision, returns the input's dtype; not thread-safe (scratch buffer).
 */
public final class Blur implements LinearOperator {
    private final int channels;
    private final int h;
    private final int w;
    private final int k;
    private final double[] kernel;
    private final double[] spectrum;
    private final DoubleFFT_2D fft;
    private final double[] scratch;

    /**
     * @param kernel {@code [k, k]}, k odd and at most min(H, W) (a larger kernel would wrap around
     *               the image)
     */
    public Blur(INDArray kernel, int channels, int h, int w) {
        long[] ks = kernel.shape();
        if (ks.length != 2 || ks[0] != ks[1] || ks[0] % 2 == 0) {
            throw new IllegalArgumentException("blur kernel must be [k, k] with k odd, found " + Arrays.toString(ks));
        }
        this.k = Math.toIntExact(ks[0]);
        if (k > h || k > w) {
            throw new IllegalArgumentException("blur kernel size (blur.kernel_size) " + k
                    + " is larger than the image " + h + "x" + w);
        }
        this.channels = channels;
        this.h = h;
        this.w = w;
        this.kernel = HostArrays.toDouble(kernel);
        this.fft = new DoubleFFT_2D(h, w);
        this.scratch = new double[2 * h * w];
        this.spectrum = new double[2 * h * w];
        int c = k / 2;
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                int r = Math.floorMod(a - c, h);
                int q = Math.floorMod(b - c, w);
                spectrum[2 * (r * w + q)] += this.kernel[a * k + b];
            }
        }
        fft.complexForward(spectrum);
    }

    /** A normalised Gaussian kernel {@code [size, size]}, exp(−(a² + b²)/(2σ²)) / Σ, a, b centred. */
    public static double[] gaussianKernel(int size, double sigma) {
        if (size < 1 || size % 2 == 0) {
            throw new IllegalArgumentException("blur kernel size (blur.kernel_size) must be odd and ≥ 1, found " + size);
        }
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("blur sigma (blur.sigma) must be > 0, found " + sigma);
        }
        double[] g = new double[size * size];
        int c = size / 2;
        double sum = 0;
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                g[a * size + b] = Math.exp(-((a - c) * (a - c) + (b - c) * (b - c)) / (2 * sigma * sigma));
                sum += g[a * size + b];
            }
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= sum;
        }
        return g;
    }

    public int kernelSize() {
        return k;
    }

    @Override
    public long[] domainShape() {
        return new long[] {channels, h, w};
    }

    @Override
    public long[] rangeShape() {
        return domainShape();
    }

    @Override
    public INDArray apply(INDArray x) {
        return filter(x, 0, "apply");
    }

    @Override
    public INDArray adjoint(INDArray y) {
        return filter(y, 1, "adjoint");
    }

    @Override
    public INDArray normal(INDArray x) {
        return filter(x, 2, "normal");
    }

    /**
     * ‖A‖ = max_ω |K̂(ω)| over the H×W DFT grid, exact for the periodic boundary implemented here:
     * A is circulant (block-circulant with circulant blocks), the unitary DFT diagonalises it,
     * A = F^H diag(K̂) F, so its singular values are the |K̂(ω)|. This never exceeds ‖K‖₁ (|K̂(ω)| ≤
     * Σ|K[a,b]|, equal at ω = 0 for a non-negative kernel such as the Gaussian), which is the bound
     * to use for other boundary conditions (Young's inequality) but is loose for kernels of mixed sign.
     */
    @Override
    public double normBound() {
        double max = 0;
        for (int i = 0; i < h * w; i++) {
            max = Math.max(max, Math.hypot(spectrum[2 * i], spectrum[2 * i + 1]));
        }
        return max;
    }

    @Override
    public boolean normBoundIsExact() {
        return true;
    }

    /**
     * The exact norm of D_s ∘ A, this blur followed by keeping every s-th pixel ({@link Decimation}):
     * <pre>
     *   ‖D_s A‖² = max_{p, q} (1/s²) Σ_{a, b = 0}^{s−1} |K̂(p + a H/s, q + b W/s)|²
     * </pre>
     * for 0 ≤ p &lt; H/s, 0 ≤ q &lt; W/s. Derivation: ‖D_s A‖² = ‖D_s A A^H D_s^H‖; A A^H is the
     * periodic convolution with impulse response g, ĝ = |K̂|², and D_s (·) D_s^H keeps the
     * entries (s i, s j) of a circulant matrix, which is the periodic convolution on the coarse
     * (H/s)×(W/s) grid with the decimated impulse response g(s·); its DFT is the alias sum above
     * (Poisson summation), and the largest eigenvalue of a circulant matrix is its largest DFT value.
     * Requires s to divide H and W.
     */
    public double decimatedNorm(int factor) {
        if (factor < 1 || h % factor != 0 || w % factor != 0) {
            throw new IllegalArgumentException("super-resolution factor (factor) must be ≥ 1 and divide the size "
                    + h + "x" + w + ", found " + factor);
        }
        int lh = h / factor;
        int lw = w / factor;
        double max = 0;
        for (int p = 0; p < lh; p++) {
            for (int q = 0; q < lw; q++) {
                double sum = 0;
                for (int a = 0; a < factor; a++) {
                    for (int b = 0; b < factor; b++) {
                        int i = (p + a * lh) * w + (q + b * lw);
                        sum += spectrum[2 * i] * spectrum[2 * i] + spectrum[2 * i + 1] * spectrum[2 * i + 1];
                    }
                }
                max = Math.max(max, sum / ((double) factor * factor));
            }
        }
        return Math.sqrt(max);
    }

    @Override
    public String describe() {
        return "Blur(" + k + "x" + k + " kernel, " + channels + "x" + h + "x" + w + ")";
    }

    /** mode 0: K̂, 1: conj(K̂), 2: |K̂|². */
    private INDArray filter(INDArray x, int mode, String what) {
        long[] s = x.shape();
        if (!HostArrays.isBatchOf(s, domainShape())) {
            throw new IllegalArgumentException(describe() + "." + what + " expects " + HostArrays.batchShape(domainShape())
                    + ", found " + Arrays.toString(s));
        }
        double[] v = HostArrays.toDouble(x);
        int hw = h * w;
        for (int off = 0; off < v.length; off += hw) {
            filterPlane(v, off, mode);
        }
        return HostArrays.fromDouble(v, s, x.dataType());
    }

    /** Filters one real H×W plane in place. */
    void filterPlane(double[] v, int off, int mode) {
        int hw = h * w;
        for (int i = 0; i < hw; i++) {
            scratch[2 * i] = v[off + i];
            scratch[2 * i + 1] = 0;
        }
        fft.complexForward(scratch);
        for (int i = 0; i < hw; i++) {
            double kr = spectrum[2 * i];
            double ki = spectrum[2 * i + 1];
            double xr = scratch[2 * i];
            double xi = scratch[2 * i + 1];
            switch (mode) {
                case 0 -> {
                    scratch[2 * i] = kr * xr - ki * xi;
                    scratch[2 * i + 1] = kr * xi + ki * xr;
                }
                case 1 -> {
                    scratch[2 * i] = kr * xr + ki * xi;
                    scratch[2 * i + 1] = kr * xi - ki * xr;
                }
                default -> {
                    double g = kr * kr + ki * ki;
                    scratch[2 * i] = g * xr;
                    scratch[2 * i + 1] = g * xi;
                }
            }
        }
        fft.complexInverse(scratch, true);
        for (int i = 0; i < hw; i++) {
            v[off + i] = scratch[2 * i];
        }
    }
}
