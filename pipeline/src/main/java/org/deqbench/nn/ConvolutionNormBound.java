package org.deqbench.nn;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A proven upper bound on the operator norm ‖W ⋆ ·‖₂ of a stride-1, zero-padded ("same")
 * convolution in 2D or 3D, from its raw weights and the spatial size of its inputs. Unlike power
 * iteration or Lanczos, whose Ritz values approach the norm from below, this is a certificate.
 *
 * <p><b>The argument.</b> Let x have spatial size n₁×…×n_d and the kernel size k₁×…×k_d (any
 * padding p_j ≤ k_j − 1 on each side). On the grid N_j = n_j + k_j − 1 the zero-padded
 * convolution is a compression of the circular one, C_pad = P C_circ E with E the zero embedding
 * and P the crop (both of norm ≤ 1): the taps reach at most k_j − 1 entries past either edge, and on
 * this grid those wrap onto the zeros of the embedding. So ‖C_pad‖ ≤ ‖C_circ‖. The discrete Fourier
 * transform block-diagonalises C_circ (Sedghi, Gupta, Long, ICLR 2019):
 * <pre>
 *   ‖C_circ‖ = max_ω σ_max(K̂(ω)),   K̂(ω)[o, c] = Σ_a W[a, c, o] e^{−2πi⟨a, ω/N⟩},
 * </pre>
 * ω over the N₁·…·N_d grid frequencies (the sign of the exponent and the kernel's origin change
 * K̂ by a conjugation or a unimodular factor, neither of which changes σ_max). Since W is real,
 * K̂(−ω) = conj K̂(ω), so half of the frequencies suffice.
 *
 * <p><b>Making it rigorous in floating point</b> (u = 2⁻⁵³, γ_k = ku/(1 − ku), Higham, <i>Accuracy
 * and Stability of Numerical Algorithms</i>, 2nd ed., §3 and Thm 10.3). With μ a candidate bound on
 * σ_max², every frequency is checked by one of:
 * <ol>
 *   <li>trace: λ_max(G) ≤ tr G = ‖K̃‖_F² ≤ μ;</li>
 *   <li>Frobenius: λ_max(Ĝ) ≤ ‖Ĝ‖_F ≤ μ, with Ĝ = fl(K̃^H K̃) over the smaller channel side;</li>
 *   <li>Cholesky: floating-point Cholesky of S = fl(μI − Ĝ), in the real symmetric embedding
 *       [[Re, −Im], [Im, Re]] of size 2n (same eigenvalues, each twice), completes. Then
 *       R̂ᵀR̂ = S + ΔS with |ΔS| ≤ γ_{2n+1}|R̂ᵀ||R̂|, so λ_min(S) ≥ −γ_{2n+1}‖R̂‖_F² ≥
 *       −γ_{2n+1} tr(S)/(1 − γ_{2n+1}) ≥ −ε_C with ε_C = γ_{2n+1}·2n·μ(1 + 2u)/(1 − γ_{2n+1}).</li>
 * </ol>
 * A frequency that passes none raises μ to (1 + η)·λ̂ with λ̂ its top eigenvalue by a dense
 * symmetric eigensolver (Commons Math) and η = {@value #HEADROOM}, and is checked again (η grows ×16
 * on a failure); μ only grows, so earlier checks stay valid. The computed quantities differ from the
 * exact ones by:
 * <ul>
 *   <li>ε_K ≥ ‖K̂ − K̃‖₂: each twiddle factor e^{−iθ} is computed from θ = 2π((a·ω) mod N)/N (three
 *       roundings, |θ| ≤ 2π) and {@code Math.cos/sin} (1 ulp), and up to three are multiplied: an
 *       absolute error below {@value #TWIDDLE_ERROR_ULPS}u per tap; the sum over the T taps adds
 *       γ_{T+1}. Entrywise |ΔK| ≤ τ Σ_a |W[a, c, o]|, τ = {@value #TWIDDLE_ERROR_ULPS}u + 1.01γ_{T+1},
 *       so ‖ΔK‖₂ ≤ ‖ΔK‖_F ≤ τ √T ‖W‖_F (Cauchy–Schwarz over the taps);</li>
 *   <li>ε_G ≥ ‖Ĝ − K̃^H K̃‖₂: real and imaginary parts of each entry are sums of 2m real products,
 *       |Δ| ≤ γ_{2m}(|K̃|^H|K̃|), so ‖ΔG‖₂ ≤ √2 γ_{2m} ‖K̃‖_F², maximised over frequencies;</li>
 *   <li>ε_S = 2.1u·μ: the rounding of μ − Ĝ_ii on the diagonal of S.</li>
 * </ul>
 * Hence, at every frequency, σ_max(K̂(ω)) ≤ √(μ + ε_C + ε_S + ε_G) + ε_K. The result is this
 * number times (1 + {@value #SAFETY}): the analysed terms are included explicitly (about 10⁻¹²
 * relative at 64 channels, growing like n²u), the factor covers the last few roundings (square
 * root, sums) with room to spare. The
 * bound exceeds the circular convolution's norm by the relative headroom η (≈10⁻⁸) and the circular
 * norm exceeds the zero-padded one by a few per cent on small images (less on large ones).
 *
 * <p>Cost per frequency: forming K̂ (T·Cin·Cout), the Gram matrix (n²m/2 complex, n the smaller
 * and m the larger channel count) and, where the cheap tests fail, a Cholesky factorisation of a
 * 2n×2n matrix.
 */
public final class ConvolutionNormBound {
    /** Relative headroom η of the candidate μ above the largest eigenvalue found. */
    static final double HEADROOM = 1e-8;
    /** Relative safety factor applied to the final bound (see the class comment). */
    static final double SAFETY = 1e-9;
    /** Bound, in units of u, on the absolute error of one tap's twiddle product. */
    static final int TWIDDLE_ERROR_ULPS = 128;
    private static final double U = 0x1p-53;

    /**
     * @param bound           proven upper bound on the zero-padded convolution's operator norm
     * @param circularEstimate the largest σ_max(K̂(ω)) the eigensolver found (the circular norm up to
     *                        rounding; a lower bound on nothing, reported for comparison)
     * @param grid            the DFT grid N_j = n_j + k_j − 1
     * @param frequencies     frequencies checked (half the grid, by conjugate symmetry)
     * @param choleskyChecks  frequencies that needed the Cholesky check
     * @param raises          times the candidate μ was raised by an eigensolve
     */
    public record Result(double bound, double circularEstimate, int[] grid, long frequencies, long choleskyChecks,
                         int raises) {
    }

    private ConvolutionNormBound() {
    }

    /**
     * The bound for an ND4J weight array {@code [k, k, Cin, Cout]} (2D) or
     * {@code [kD, kH, kW, Cin, Cout]} (3D) on inputs of spatial size {@code spatial} (H, W or D, H, W).
     */
    public static Result of(INDArray weight, int... spatial) {
        double[] w = weight.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        return of(w, weight.shape(), spatial);
    }

    /**
     * @param weight  row-major weights of shape {@code [k_1, …, k_d, Cin, Cout]}
     * @param shape   that shape
     * @param spatial the input's spatial size (n_1, …, n_d), d = shape.length − 2 ∈ {1, 2, 3}
     */
    public static Result of(double[] weight, long[] shape, int... spatial) {
        int d = shape.length - 2;
        if (d < 1 || d > 3 || spatial.length != d) {
            throw new IllegalArgumentException("convolution weight must be [k_1, ..., k_d, Cin, Cout] with d = 1..3"
                    + " spatial dimensions matching the input size; got weight " + Arrays.toString(shape)
                    + " and input size " + Arrays.toString(spatial));
        }
        int taps = 1;
        int[] k = new int[d];
        int[] grid = new int[d];
        for (int j = 0; j < d; j++) {
            k[j] = Math.toIntExact(shape[j]);
            if (k[j] < 1 || spatial[j] < 1) {
                throw new IllegalArgumentException("kernel and input sizes must be positive, got weight "
                        + Arrays.toString(shape) + " and input size " + Arrays.toString(spatial));
            }
            taps *= k[j];
            grid[j] = spatial[j] + k[j] - 1;
        }
        int cin = Math.toIntExact(shape[d]);
        int cout = Math.toIntExact(shape[d + 1]);
        if ((long) taps * cin * cout != weight.length) {
            throw new IllegalArgumentException("weight has " + weight.length + " entries, shape "
                    + Arrays.toString(shape) + " needs " + (long) taps * cin * cout);
        }
        return new Computation(weight, k, grid, taps, cin, cout).run();
    }

    /**
     * A proven Lipschitz bound of a chain of convolutions (biases do not matter) with an
     * activation between consecutive ones: Π_l ‖C_l‖ × Lip(φ)^{layers − 1}, every factor this
     * class's bound and every product rounded up ({@link Math#nextUp}).
     *
     * @param weights            the layers' weights, each {@code [k…, Cin, Cout]}
     * @param activationLipschitz Lipschitz constant of the activation (1 for ReLU)
     * @param spatial            the input's spatial size
     */
    public static double chain(java.util.List<INDArray> weights, double activationLipschitz, int... spatial) {
        double bound = 1;
        for (int l = 0; l < weights.size(); l++) {
            bound = Math.nextUp(bound * of(weights.get(l), spatial).bound());
            if (l < weights.size() - 1) {
                bound = Math.nextUp(bound * activationLipschitz);
            }
        }
        return bound;
    }

    private static double gamma(long n) {
        return n * U / (1 - n * U);
    }

    /** The state of one bound computation. */
    private static final class Computation {
        private final double[] w;
        private final int[] k;
        private final int[] grid;
        private final int taps;
        private final int cin;
        private final int cout;
        /** n: the smaller channel count (the Gram side), m: the larger. */
        private final int n;
        private final int m;
        private final boolean gramOnInput;
        private final double[][][] twCos;
        private final double[][][] twSin;
        private final double[] tapRe;
        private final double[] tapIm;
        /** Columns of K̃ (length m each), real and imaginary parts. */
        private final double[][] colRe;
        private final double[][] colIm;
        private final double[] gRe;
        private final double[] gIm;
        private final double[] chol;
        private double mu;
        private double maxFrobenius2;
        private double estimate;
        private long choleskyChecks;
        private int raises;

        Computation(double[] w, int[] k, int[] grid, int taps, int cin, int cout) {
            this.w = w;
            this.k = k;
            this.grid = grid;
            this.taps = taps;
            this.cin = cin;
            this.cout = cout;
            this.gramOnInput = cin <= cout;
            this.n = Math.min(cin, cout);
            this.m = Math.max(cin, cout);
            int d = k.length;
            twCos = new double[d][][];
            twSin = new double[d][][];
            for (int j = 0; j < d; j++) {
                twCos[j] = new double[grid[j]][k[j]];
                twSin[j] = new double[grid[j]][k[j]];
                for (int f = 0; f < grid[j]; f++) {
                    for (int a = 0; a < k[j]; a++) {
                        double theta = 2 * Math.PI * (((long) a * f) % grid[j]) / grid[j];
                        twCos[j][f][a] = Math.cos(theta);
                        twSin[j][f][a] = -Math.sin(theta);
                    }
                }
            }
            tapRe = new double[taps];
            tapIm = new double[taps];
            colRe = new double[n][m];
            colIm = new double[n][m];
            gRe = new double[n * n];
            gIm = new double[n * n];
            chol = new double[4 * n * n];
        }

        Result run() {
            int d = k.length;
            long total = 1;
            for (int g : grid) {
                total *= g;
            }
            long checked = 0;
            int[] f = new int[d];
            int[] neg = new int[d];
            for (long idx = 0; idx < total; idx++) {
                long rest = idx;
                for (int j = d - 1; j >= 0; j--) {
                    f[j] = (int) (rest % grid[j]);
                    rest /= grid[j];
                    neg[j] = (grid[j] - f[j]) % grid[j];
                }
                long negIdx = 0;
                for (int j = 0; j < d; j++) {
                    negIdx = negIdx * grid[j] + neg[j];
                }
                if (negIdx < idx) {
                    continue; // K̂(−ω) = conj K̂(ω): same singular values
                }
                checked++;
                certifyFrequency(f);
            }
            double wFrobenius = 0;
            for (double v : w) {
                wFrobenius += v * v;
            }
            wFrobenius = Math.sqrt(wFrobenius) * (1 + gamma(w.length + 2));
            double tau = TWIDDLE_ERROR_ULPS * U + 1.01 * gamma(taps + 1);
            double epsK = tau * Math.sqrt(taps) * wFrobenius;
            double g2n = gamma(2L * n + 1);
            double epsC = g2n * 2 * n * mu * (1 + 2 * U) / (1 - g2n);
            double epsS = 2.1 * U * mu;
            double epsG = Math.sqrt(2) * gamma(2L * m) * maxFrobenius2 * (1 + gamma(2L * m * n));
            double bound = (Math.sqrt(mu + epsC + epsS + epsG) + epsK) * (1 + SAFETY);
            return new Result(bound, Math.sqrt(estimate), grid.clone(), checked, choleskyChecks, raises);
        }

        /** Proves λ_max(K̂(ω)^H K̂(ω)) ≤ μ (raising μ when needed) at frequency {@code f}. */
        private void certifyFrequency(int[] f) {
            int d = k.length;
            // twiddle product per tap, taps in row-major order over the kernel dimensions
            for (int t = 0; t < taps; t++) {
                int rest = t;
                double re = 1;
                double im = 0;
                for (int j = d - 1; j >= 0; j--) {
                    int a = rest % k[j];
                    rest /= k[j];
                    double c = twCos[j][f[j]][a];
                    double s = twSin[j][f[j]][a];
                    double nr = re * c - im * s;
                    im = re * s + im * c;
                    re = nr;
                }
                tapRe[t] = re;
                tapIm[t] = im;
            }
            for (int i = 0; i < n; i++) {
                Arrays.fill(colRe[i], 0);
                Arrays.fill(colIm[i], 0);
            }
            for (int t = 0; t < taps; t++) {
                double pr = tapRe[t];
                double pi = tapIm[t];
                for (int c = 0; c < cin; c++) {
                    int base = (t * cin + c) * cout;
                    if (gramOnInput) {
                        double[] re = colRe[c];
                        double[] im = colIm[c];
                        for (int o = 0; o < cout; o++) {
                            double v = w[base + o];
                            re[o] += v * pr;
                            im[o] += v * pi;
                        }
                    } else {
                        for (int o = 0; o < cout; o++) {
                            double v = w[base + o];
                            colRe[o][c] += v * pr;
                            colIm[o][c] += v * pi;
                        }
                    }
                }
            }
            double frobenius2 = 0;
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < m; r++) {
                    frobenius2 += colRe[i][r] * colRe[i][r] + colIm[i][r] * colIm[i][r];
                }
            }
            maxFrobenius2 = Math.max(maxFrobenius2, frobenius2);
            if (frobenius2 * (1 + gamma(2L * m * n)) <= mu) {
                return; // λ_max(K̃^H K̃) ≤ tr = ‖K̃‖_F² ≤ μ
            }
            double gFrobenius2 = 0;
            for (int i = 0; i < n; i++) {
                double[] ar = colRe[i];
                double[] ai = colIm[i];
                for (int j = i; j < n; j++) {
                    double[] br = colRe[j];
                    double[] bi = colIm[j];
                    double sr = 0;
                    double si = 0;
                    for (int r = 0; r < m; r++) {
                        sr += ar[r] * br[r] + ai[r] * bi[r];
                        si += ar[r] * bi[r] - ai[r] * br[r];
                    }
                    gRe[i * n + j] = sr;
                    gIm[i * n + j] = si;
                    gRe[j * n + i] = sr;
                    gIm[j * n + i] = -si;
                    gFrobenius2 += (i == j ? 1 : 2) * (sr * sr + si * si);
                }
            }
            if (Math.sqrt(gFrobenius2) * (1 + gamma(2L * n * n + 2)) <= mu) {
                return; // λ_max(Ĝ) ≤ ‖Ĝ‖_F ≤ μ
            }
            choleskyChecks++;
            if (choleskyPasses(mu)) {
                return;
            }
            double top = topEigenvalue();
            estimate = Math.max(estimate, top);
            raises++;
            double eta = HEADROOM;
            for (int attempt = 0; attempt < 12; attempt++) {
                double candidate = Math.max(mu, top * (1 + eta));
                if (choleskyPasses(candidate)) {
                    mu = candidate;
                    return;
                }
                eta *= 16;
            }
            throw new IllegalStateException("convolution norm bound: Cholesky of (mu I - G) failed at frequency "
                    + Arrays.toString(f) + " even with mu = " + top * (1 + eta) + " (top eigenvalue " + top + ")");
        }

        /** Whether floating-point Cholesky of fl(c·I − Ĝ), real embedding, completes. */
        private boolean choleskyPasses(double c) {
            if (!(c > 0)) {
                return false;
            }
            int s = 2 * n;
            double[] a = chol;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double re = (i == j ? c : 0) - gRe[i * n + j];
                    double im = gIm[i * n + j];
                    a[i * s + j] = re;
                    a[(i + n) * s + (j + n)] = re;
                    a[i * s + (j + n)] = -im;
                    a[(i + n) * s + j] = im;
                }
            }
            for (int j = 0; j < s; j++) {
                double diag = a[j * s + j];
                int rj = j * s;
                for (int p = 0; p < j; p++) {
                    diag -= a[rj + p] * a[rj + p];
                }
                if (!(diag > 0)) {
                    return false;
                }
                double r = Math.sqrt(diag);
                a[rj + j] = r;
                for (int i = j + 1; i < s; i++) {
                    int ri = i * s;
                    double v = a[ri + j];
                    for (int p = 0; p < j; p++) {
                        v -= a[ri + p] * a[rj + p];
                    }
                    a[ri + j] = v / r;
                }
            }
            return true;
        }

        /** The largest eigenvalue of Ĝ (dense symmetric eigensolver on the real embedding). */
        private double topEigenvalue() {
            int s = 2 * n;
            double[][] e = new double[s][s];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double re = gRe[i * n + j];
                    double im = gIm[i * n + j];
                    e[i][j] = re;
                    e[i + n][j + n] = re;
                    e[i][j + n] = -im;
                    e[i + n][j] = im;
                }
            }
            double[] values = new EigenDecomposition(new Array2DRowRealMatrix(e, false)).getRealEigenvalues();
            double top = 0;
            for (double v : values) {
                top = Math.max(top, v);
            }
            return top;
        }
    }
}
