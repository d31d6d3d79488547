package org.deqbench.recon;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-coil Cartesian MRI, A = M F S, as SameDiff operations, so that it can sit inside a graph
 * that is differentiated end to end (MoDL's unrolled iterations with their CG data-consistency
 * steps). ND4J has no FFT op; the orthonormal centred 2D DFT is applied as two dense complex
 * matrix products, F x = D_H X D_Wᵀ, with
 * <pre>
 *   D_N[k, n] = exp(−2πi · ((k − ⌊N/2⌋) mod N) · ((n − ⌊N/2⌋) mod N) / N) / √N
 * </pre>
 * which is {@code fftshift ∘ DFT ∘ ifftshift / √N}, the same convention as
 * {@link org.deqbench.physics.Fft2} (fastMRI's {@code fft2c}). Cost O(H W (H + W)) per coil
 * instead of O(H W log(H W)): fine for the small images of MoDL experiments on CPU (DESIGN §4).
 *
 * <pre>
 *   (A x)_c = M ⊙ F(S_c ⊙ x),   A^H y = Σ_c conj(S_c) ⊙ F^H(M ⊙ y_c),   A^H A = A^H ∘ A
 * </pre>
 * Layouts follow {@link org.deqbench.physics.MultiCoilMri}: images {@code [B, 2, H, W]}
 * (real, imaginary), k-space {@code [B, C, 2, H, W]}, coil maps {@code [B, C, 2, H, W]}, masks
 * {@code [B, H, W]}. The coil maps and masks are graph variables (usually placeholders) so one graph
 * serves every batch.
 */
public final class MriGraph {
    private final SameDiff sd;
    private final SDVariable mapsRe;
    private final SDVariable mapsIm;
    private final SDVariable mask;
    private final int coils;
    private final int h;
    private final int w;
    private final SDVariable fwdWRe;
    private final SDVariable fwdWIm;
    private final SDVariable fwdHRe;
    private final SDVariable fwdHIm;
    private final SDVariable invWRe;
    private final SDVariable invWIm;
    private final SDVariable invHRe;
    private final SDVariable invHIm;

    /**
     * @param coilMaps {@code [B, C, 2, H, W]} variable
     * @param masks    {@code [B, H, W]} variable
     */
    public MriGraph(SameDiff sd, SDVariable coilMaps, SDVariable masks, int coils, int height, int width, DataType dtype) {
        this.sd = sd;
        this.coils = coils;
        this.h = height;
        this.w = width;
        SDVariable[] parts = sd.unstack(coilMaps, 2, 2);
        this.mapsRe = parts[0];
        this.mapsIm = parts[1];
        this.mask = sd.expandDims(masks, 1);
        INDArray[] dw = centredDft(width, dtype);
        INDArray[] dh = centredDft(height, dtype);
        // right-multiplication matrices: forward X·D_Wᵀ, inverse X·conj(D_W) (= X·(D_W^H)ᵀ)
        String p = "mri_" + sd.getVariables().size() + "_";
        fwdWRe = sd.constant(p + "fwd_w_re", dw[0].transpose().dup());
        fwdWIm = sd.constant(p + "fwd_w_im", dw[1].transpose().dup());
        invWRe = sd.constant(p + "inv_w_re", dw[0].dup());
        invWIm = sd.constant(p + "inv_w_im", dw[1].neg());
        fwdHRe = sd.constant(p + "fwd_h_re", dh[0].transpose().dup());
        fwdHIm = sd.constant(p + "fwd_h_im", dh[1].transpose().dup());
        invHRe = sd.constant(p + "inv_h_re", dh[0].dup());
        invHIm = sd.constant(p + "inv_h_im", dh[1].neg());
    }

    /** Real and imaginary parts of D_N (see the class comment), each {@code [N, N]}. */
    public static INDArray[] centredDft(int n, DataType dtype) {
        double[][] re = new double[n][n];
        double[][] im = new double[n][n];
        int c = n / 2;
        double s = 1.0 / Math.sqrt(n);
        for (int k = 0; k < n; k++) {
            long j = Math.floorMod(k - c, n);
            for (int i = 0; i < n; i++) {
                long m = Math.floorMod(i - c, n);
                // reduce j·m mod n before the angle so large sizes keep full precision
                double angle = -2 * Math.PI * ((j * m) % n) / n;
                re[k][i] = Math.cos(angle) * s;
                im[k][i] = Math.sin(angle) * s;
            }
        }
        return new INDArray[] {Nd4j.createFromArray(re).castTo(dtype), Nd4j.createFromArray(im).castTo(dtype)};
    }

    /** A x: image {@code [B, 2, H, W]} → k-space {@code [B, C, 2, H, W]}. */
    public SDVariable forward(SDVariable x) {
        SDVariable[] k = forwardParts(x);
        return sd.stack(2, k[0], k[1]);
    }

    /** A^H y: k-space {@code [B, C, 2, H, W]} → image {@code [B, 2, H, W]}. */
    public SDVariable adjoint(SDVariable y) {
        SDVariable[] parts = sd.unstack(y, 2, 2);
        return adjointParts(parts[0], parts[1]);
    }

    /** A^H A x for an image {@code [B, 2, H, W]}. */
    public SDVariable normal(SDVariable x) {
        SDVariable[] k = forwardParts(x);
        return adjointParts(k[0], k[1]);
    }

    /** Masked k-space as (real, imaginary), each {@code [B, C, H, W]}. */
    private SDVariable[] forwardParts(SDVariable x) {
        SDVariable[] xs = sd.unstack(x, 1, 2);
        SDVariable xr = sd.expandDims(xs[0], 1);
        SDVariable xi = sd.expandDims(xs[1], 1);
        // S_c ⊙ x, complex, broadcast over coils: [B, C, H, W]
        SDVariable re = mapsRe.mul(xr).sub(mapsIm.mul(xi));
        SDVariable im = mapsRe.mul(xi).add(mapsIm.mul(xr));
        SDVariable[] k = dft(re, im, fwdWRe, fwdWIm, fwdHRe, fwdHIm);
        return new SDVariable[] {k[0].mul(mask), k[1].mul(mask)};
    }

    private SDVariable adjointParts(SDVariable kr, SDVariable ki) {
        SDVariable[] c = dft(kr.mul(mask), ki.mul(mask), invWRe, invWIm, invHRe, invHIm);
        // Σ_c conj(S_c) ⊙ v
        SDVariable re = mapsRe.mul(c[0]).add(mapsIm.mul(c[1])).sum(1);
        SDVariable im = mapsRe.mul(c[1]).sub(mapsIm.mul(c[0])).sum(1);
        return sd.stack(1, re, im);
    }

    /** X ↦ L X R for complex X [B, C, H, W] given Rᵀ-side matrices of both axes. */
    private SDVariable[] dft(SDVariable re, SDVariable im, SDVariable wRe, SDVariable wIm,
                             SDVariable hRe, SDVariable hIm) {
        SDVariable[] a = lastAxis(re, im, wRe, wIm, w);
        // transform the H axis as the last one: [B, C, H, W] → [B, C, W, H] → back
        SDVariable[] b = lastAxis(a[0].permute(0, 1, 3, 2), a[1].permute(0, 1, 3, 2), hRe, hIm, h);
        return new SDVariable[] {b[0].permute(0, 1, 3, 2), b[1].permute(0, 1, 3, 2)};
    }

    /** (re + i·im) · (mRe + i·mIm) along the last axis of a [B, C, P, n] tensor. */
    private SDVariable[] lastAxis(SDVariable re, SDVariable im, SDVariable mRe, SDVariable mIm, int n) {
        SDVariable shape = re.shape();
        SDVariable r2 = re.reshape(-1, n);
        SDVariable i2 = im.reshape(-1, n);
        SDVariable outRe = r2.mmul(mRe).sub(i2.mmul(mIm));
        SDVariable outIm = r2.mmul(mIm).add(i2.mmul(mRe));
        return new SDVariable[] {outRe.reshape(shape), outIm.reshape(shape)};
    }

    public int coils() {
        return coils;
    }
}
