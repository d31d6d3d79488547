package org.deqbench.physics;

import org.jtransforms.fft.DoubleFFT_3D;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The orthonormal, centred 3D DFT over the last three axes {@code [D, H, W]}, the same convention
 * as {@link Fft2} along every axis:
 * {@code F x = fftshift(fftn(ifftshift(x, axes=(-3,-2,-1)), norm="ortho"), axes=(-3,-2,-1))};
 * centre index {@code floor(n/2)} on each axis, F^H F = I. Used by 3D Cartesian MRI, where
 * k-space is a volume (readout × two phase-encode directions). Complex data are two real volumes
 * {@code [2, D, H, W]}. Each axis needs length ≥ 2. Not thread-safe (scratch buffer).
 */
public final class Fft3 {
    private final int d;
    private final int h;
    private final int w;
    private final double scale;
    private final DoubleFFT_3D fft;
    private final double[] scratch;

    public Fft3(int d, int h, int w) {
        if (d < 2 || h < 2 || w < 2) {
            throw new IllegalArgumentException("3D FFT size must be at least 2x2x2, found " + d + "x" + h + "x" + w);
        }
        this.d = d;
        this.h = h;
        this.w = w;
        this.scale = 1.0 / Math.sqrt((double) d * h * w);
        this.fft = new DoubleFFT_3D(d, h, w);
        this.scratch = new double[2 * d * h * w];
    }

    /**
     * F (or F^H) of one D×H×W complex volume with real and imaginary volumes at {@code srcRe},
     * {@code srcIm}, written to {@code dstRe}, {@code dstIm}; source and destination may coincide.
     */
    public void transform(double[] src, int srcRe, int srcIm, double[] dst, int dstRe, int dstIm, boolean inverse) {
        int ds = d / 2;
        int hs = h / 2;
        int ws = w / 2;
        for (int z = 0; z < d; z++) {
            int sz = (z + ds) % d;
            for (int r = 0; r < h; r++) {
                int sr = (r + hs) % h;
                int out = 2 * ((z * h + r) * w);
                int in = (sz * h + sr) * w;
                for (int c = 0; c < w; c++) {
                    int sc = in + (c + ws) % w;
                    scratch[out + 2 * c] = src[srcRe + sc];
                    scratch[out + 2 * c + 1] = src[srcIm + sc];
                }
            }
        }
        if (inverse) {
            fft.complexInverse(scratch, false);
        } else {
            fft.complexForward(scratch);
        }
        int db = d - ds;
        int hb = h - hs;
        int wb = w - ws;
        for (int z = 0; z < d; z++) {
            int sz = (z + db) % d;
            for (int r = 0; r < h; r++) {
                int sr = (r + hb) % h;
                int in = 2 * ((sz * h + sr) * w);
                int out = (z * h + r) * w;
                for (int c = 0; c < w; c++) {
                    int sc = in + 2 * ((c + wb) % w);
                    dst[dstRe + out + c] = scratch[sc] * scale;
                    dst[dstIm + out + c] = scratch[sc + 1] * scale;
                }
            }
        }
    }

    /** F over the last three axes of {@code x [..., 2, D, H, W]}; returns a new array of x's dtype. */
    public static INDArray forward(INDArray x) {
        return apply(x, false);
    }

    /** F^H over the last three axes of {@code y [..., 2, D, H, W]}. */
    public static INDArray inverse(INDArray y) {
        return apply(y, true);
    }

    private static INDArray apply(INDArray x, boolean inverse) {
        long[] s = x.shape();
        if (s.length < 4 || s[s.length - 4] != 2) {
            throw new IllegalArgumentException("Fft3 expects complex volumes [..., 2, D, H, W], found shape "
                    + java.util.Arrays.toString(s));
        }
        int dd = Math.toIntExact(s[s.length - 3]);
        int hh = Math.toIntExact(s[s.length - 2]);
        int ww = Math.toIntExact(s[s.length - 1]);
        double[] v = HostArrays.toDouble(x);
        Fft3 f = new Fft3(dd, hh, ww);
        int vol = dd * hh * ww;
        for (int off = 0; off < v.length; off += 2 * vol) {
            f.transform(v, off, off + vol, v, off, off + vol, inverse);
        }
        return HostArrays.fromDouble(v, s, x.dataType());
    }
}
