package org.deqbench.physics;

import org.jtransforms.fft.DoubleFFT_2D;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The orthonormal, centred 2D discrete Fourier transform over the last two axes — the convention
 * of fastMRI ({@code fft2c}) and of the MoDL and MOL code:
 * <pre>
 *   F x   = fftshift( DFT( ifftshift(x) ) ) / sqrt(H W),   DFT(x)[k] = Σ_n x[n] exp(−2πi k·n / N)
 *   F^H y = fftshift( IDFT( ifftshift(y) ) ) / sqrt(H W),  IDFT without the 1/(H W) factor
 * </pre>
 * so F is unitary (F^H F = I, ‖F x‖ = ‖x‖). In numpy:
 * {@code np.fft.fftshift(np.fft.fft2(np.fft.ifftshift(x, axes=(-2,-1)), norm="ortho"), axes=(-2,-1))}.
 *
 * <p><b>Centre and odd sizes.</b> Along an axis of length n the centre index is {@code n/2}
 * rounded down ({@code floor(n/2)}): it holds the image origin before the transform and the DC
 * coefficient after it. {@code ifftshift} moves index {@code floor(n/2)} to 0 and {@code fftshift}
 * moves 0 back to {@code floor(n/2)}; for even n the two shifts coincide, for odd n they are each
 * other's inverse. A constant image c therefore maps to the single coefficient
 * {@code c·sqrt(H W)} at {@code [floor(H/2), floor(W/2)]}.
 *
 * <p><b>Layout.</b> Complex data are two real planes (real, imaginary): the transform acts on
 * arrays {@code [..., 2, H, W]}. The FFT itself is JTransforms' {@link DoubleFFT_2D}, in double
 * precision. An instance keeps a scratch buffer and is not thread-safe; the static methods create
 * their own.
 */
public final class Fft2 {
    private final int h;
    private final int w;
    private final double scale;
    private final DoubleFFT_2D fft;
    private final double[] scratch;

    public Fft2(int h, int w) {
        if (h < 2 || w < 2) {
            // JTransforms' 2D transform needs at least two rows and columns
            throw new IllegalArgumentException("FFT size must be at least 2x2, found " + h + "x" + w);
        }
        this.h = h;
        this.w = w;
        this.scale = 1.0 / Math.sqrt((double) h * w);
        this.fft = new DoubleFFT_2D(h, w);
        this.scratch = new double[2 * h * w];
    }

    public int height() {
        return h;
    }

    public int width() {
        return w;
    }

    /**
     * F of one complex image stored as planes {@code [2, H, W]} starting at {@code src[srcOff]},
     * written to {@code dst[dstOff]} ({@code src} and {@code dst} may be the same block).
     */
    public void forward(double[] src, int srcOff, double[] dst, int dstOff) {
        transform(src, srcOff, srcOff + h * w, dst, dstOff, dstOff + h * w, false);
    }

    /** F^H of one complex image {@code [2, H, W]}; see {@link #forward(double[], int, double[], int)}. */
    public void inverse(double[] src, int srcOff, double[] dst, int dstOff) {
        transform(src, srcOff, srcOff + h * w, dst, dstOff, dstOff + h * w, true);
    }

    /**
     * F (or F^H if {@code inverse}) of one H×W complex image whose real and imaginary planes start
     * at {@code srcRe} and {@code srcIm} (e.g. one frame of a {@code [2, T, H, W]} block), written
     * to the planes at {@code dstRe}, {@code dstIm}; source and destination may coincide.
     */
    public void transform(double[] src, int srcRe, int srcIm, double[] dst, int dstRe, int dstIm, boolean inverse) {
        int hs = h / 2;
        int ws = w / 2;
        // ifftshift while interleaving: scratch[r][c] = src[(r + floor(h/2)) % h][(c + floor(w/2)) % w]
        for (int r = 0; r < h; r++) {
            int sr = (r + hs) % h;
            int rowOut = 2 * r * w;
            for (int c = 0; c < w; c++) {
                int sc = sr * w + (c + ws) % w;
                scratch[rowOut + 2 * c] = src[srcRe + sc];
                scratch[rowOut + 2 * c + 1] = src[srcIm + sc];
            }
        }
        if (inverse) {
            fft.complexInverse(scratch, false);
        } else {
            fft.complexForward(scratch);
        }
        // fftshift while de-interleaving: dst[r][c] = scratch[(r + ceil(h/2)) % h][(c + ceil(w/2)) % w]
        int hb = h - hs;
        int wb = w - ws;
        for (int r = 0; r < h; r++) {
            int rowIn = 2 * ((r + hb) % h) * w;
            for (int c = 0; c < w; c++) {
                int sc = rowIn + 2 * ((c + wb) % w);
                dst[dstRe + r * w + c] = scratch[sc] * scale;
                dst[dstIm + r * w + c] = scratch[sc + 1] * scale;
            }
        }
    }

    /** F over the last two axes of {@code x [..., 2, H, W]}; returns a new array of x's dtype. */
    public static INDArray forward(INDArray x) {
        return apply(x, false);
    }

    /** F^H over the last two axes of {@code y [..., 2, H, W]}; returns a new array of y's dtype. */
    public static INDArray inverse(INDArray y) {
        return apply(y, true);
    }

    private static INDArray apply(INDArray x, boolean inverse) {
        long[] s = x.shape();
        if (s.length < 3 || s[s.length - 3] != 2) {
            throw new IllegalArgumentException("Fft2 expects complex planes [..., 2, H, W], found shape "
                    + java.util.Arrays.toString(s));
        }
        int hh = Math.toIntExact(s[s.length - 2]);
        int ww = Math.toIntExact(s[s.length - 1]);
        double[] v = HostArrays.toDouble(x);
        Fft2 f = new Fft2(hh, ww);
        int block = 2 * hh * ww;
        for (int off = 0; off < v.length; off += block) {
            f.transform(v, off, off + hh * ww, v, off, off + hh * ww, inverse);
        }
        return HostArrays.fromDouble(v, s, x.dataType());
    }
}
