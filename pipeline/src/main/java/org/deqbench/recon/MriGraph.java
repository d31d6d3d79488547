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
 * matrix products, F X = D_H X D_Wᵀ, with
 * <pre>
 *   D_N[k, n] = exp(−2πi · ((k − ⌊N/2⌋) mod N) · ((n − ⌊N/2⌋) mod N) / N) / √N
 * </pre>
 * which is {@code fftshift ∘ DFT ∘ ifftshift / √N}, the same convention as
 * {@link org.deqbench.physics.Fft2} (fastMRI's {@code fft2c}). Cost O(H W (H + W)) per coil
 * instead of O(H W log(H W)): fine for the small images of MoDL experiments on CPU (DESIGN §4).
 * <pre>
 *   (A x)_c = M ⊙ F(S_c ⊙ x),   A^H y = Σ_c conj(S_c) ⊙ F^H(M ⊙ y_c),   A^H A = A^H ∘ A
 * </pre>
 *
 * <p><b>Layouts.</b> At the interface they follow {@link org.deqbench.physics.MultiCoilMri}: images
 * {@code [B, 2, H, W]} (real, imaginary), k-space and coil maps {@code [B, C, 2, H, W]}, masks
 * {@code [B, H, W]}. Inside, complex data are kept "row-complex", {@code [B, C, H, 2, W]}: every
 * image row holds its real then its imaginary part, so a complex product along W is one real
 * matrix product with the block matrix [[Re R, Im R], [−Im R, Re R]], and along H one more after
 * a transpose. Multiplying by i is one more product with a block matrix, applied to images, not coils. This keeps A^H A at about 30 graph operations: SameDiff's per-operation
 * overhead, not arithmetic, dominates on small images, and MoDL applies A^H A K·cgIterations
 * times. Callers that iterate (CG) can stay in the row layout with {@link #toRows},
 * {@link #normalRows} and {@link #fromRows}.
 *
 * <p>The coil maps and masks are graph variables (usually placeholders) so one graph serves every
 * batch.
 */
public final class MriGraph {
    private final SameDiff sd;
    private final int coils;
    private final int h;
    private final int w;
    /** Re S on both halves of the complex axis: [B, C, H, 2, W]. */
    private final SDVariable mapsRe2;
    /** Im S on both halves of the complex axis: [B, C, H, 2, W]. */
    private final SDVariable mapsIm2;
    /** Right-multiplication of rows [re | im] by J gives [−im | re], i.e. multiplication by i. */
    private final SDVariable timesI;
    /** [B, 1, H, 1, W]. */
    private final SDVariable mask;
    private final SDVariable fwdW;
    private final SDVariable fwdH;
    private final SDVariable invW;
    private final SDVariable invH;

    /**
     * @param coilMaps {@code [B, C, 2, H, W]} variable
     * @param masks    {@code [B, H, W]} variable
     */
    public MriGraph(SameDiff sd, SDVariable coilMaps, SDVariable masks, int coils, int height, int width, DataType dtype) {
        this.sd = sd;
        this.coils = coils;
        this.h = height;
        this.w = width;
        SDVariable rows = coilMaps.permute(0, 1, 3, 2, 4); // [B, C, H, 2, W]
        SDVariable pick = sd.constant(Nd4j.createFromArray(new double[][] {{1, 1}, {0, 0}}).castTo(dtype));
        // re2 = (Re S, Re S), imJ = (−Im S, Im S) along the complex axis, via a 2×2 mixing product
        SDVariable re2 = mixComplexAxis(rows, pick);
        SDVariable im2 = mixComplexAxis(rows, sd.constant(Nd4j.createFromArray(new double[][] {{0, 0}, {1, 1}}).castTo(dtype)));
        this.mapsRe2 = re2;
        this.mapsIm2 = im2;
        INDArray eye = Nd4j.eye(width).castTo(dtype);
        this.timesI = sd.constant(block(Nd4j.zeros(dtype, width, width), eye));
        this.mask = sd.expandDims(sd.expandDims(masks, 1), 3);
        INDArray[] dw = centredDft(width, dtype);
        INDArray[] dh = centredDft(height, dtype);
        // right-multiplication matrices R: forward X·Dᵀ, inverse X·conj(D)
        this.fwdW = sd.constant(block(dw[0].transpose(), dw[1].transpose()));
        this.fwdH = sd.constant(block(dh[0].transpose(), dh[1].transpose()));
        this.invW = sd.constant(block(dw[0], dw[1].neg()));
        this.invH = sd.constant(block(dh[0], dh[1].neg()));
    }

    /** out[..., j, :] = Σ_i m[i, j] · in[..., i, :] on the complex axis (3) of [B, C, H, 2, W]. */
    private SDVariable mixComplexAxis(SDVariable rows, SDVariable m) {
        SDVariable t = rows.permute(0, 1, 2, 4, 3).reshape(-1, 2).mmul(m);
        return t.reshape(-1, coils, h, w, 2).permute(0, 1, 2, 4, 3);
    }

    /** [[Re R, Im R], [−Im R, Re R]]: right-multiplication by R of rows [re | im]. */
    private static INDArray block(INDArray re, INDArray im) {
        long n = re.rows();
        INDArray b = Nd4j.create(re.dataType(), 2 * n, 2 * n);
        b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)).assign(re);
        b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n), org.nd4j.linalg.indexing.NDArrayIndex.interval(n, 2 * n)).assign(im);
        b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(n, 2 * n), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)).assign(im.neg());
        b.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(n, 2 * n), org.nd4j.linalg.indexing.NDArrayIndex.interval(n, 2 * n)).assign(re);
        return b;
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

    /** Image {@code [B, 2, H, W]} → row layout {@code [B, H, 2, W]}. */
    public SDVariable toRows(SDVariable x) {
        return x.permute(0, 2, 1, 3);
    }

    /** Row layout {@code [B, H, 2, W]} → image {@code [B, 2, H, W]}. */
    public SDVariable fromRows(SDVariable x) {
        return x.permute(0, 2, 1, 3);
    }

    /** A x: image {@code [B, 2, H, W]} → k-space {@code [B, C, 2, H, W]}. */
    public SDVariable forward(SDVariable x) {
        return forwardRows(toRows(x)).permute(0, 1, 3, 2, 4);
    }

    /** A^H y: k-space {@code [B, C, 2, H, W]} → image {@code [B, 2, H, W]}. */
    public SDVariable adjoint(SDVariable y) {
        return fromRows(adjointRows(y.permute(0, 1, 3, 2, 4)));
    }

    /** A^H A x for an image {@code [B, 2, H, W]}. */
    public SDVariable normal(SDVariable x) {
        return fromRows(normalRows(toRows(x)));
    }

    /** A^H A in the row layout {@code [B, H, 2, W]}. */
    public SDVariable normalRows(SDVariable x) {
        return adjointRows(forwardRows(x));
    }

    /** [B, H, 2, W] → masked k-space rows [B, C, H, 2, W]. */
    private SDVariable forwardRows(SDVariable x) {
        // S ⊙ x = Re S · x + Im S · (i x), with i x formed once on the image, not per coil
        SDVariable sx = mapsRe2.mul(sd.expandDims(x, 1)).add(mapsIm2.mul(sd.expandDims(timesI(x), 1)));
        return dft(sx, fwdW, fwdH).mul(mask);
    }

    /** k-space rows [B, C, H, 2, W] → image rows [B, H, 2, W]. */
    private SDVariable adjointRows(SDVariable y) {
        SDVariable v = dft(y.mul(mask), invW, invH);
        // Σ_c conj(S_c) ⊙ v_c = Σ_c Re S_c · v_c − i · Σ_c Im S_c · v_c
        return mapsRe2.mul(v).sum(1).sub(timesI(mapsIm2.mul(v).sum(1)));
    }

    /**
     * i·x for image rows [B, H, 2, W], as a product with J = [[0, I], [−I, 0]]. (SameDiff's reverse
     * op would swap the halves with fewer flops, but in ND4J M2.1 its gradient leaks native memory
     * on every call: about 26 MB per op per step on 64×64 coil images.)
     */
    private SDVariable timesI(SDVariable x) {
        return x.reshape(-1, 2L * w).mmul(timesI).reshape(-1, h, 2, w);
    }

    /** X ↦ L X R on rows [B, C, H, 2, W], with the W-side and (transposed) H-side block matrices. */
    private SDVariable dft(SDVariable x, SDVariable wSide, SDVariable hSide) {
        SDVariable a = x.reshape(-1, 2L * w).mmul(wSide).reshape(-1, coils, h, 2, w);
        SDVariable t = a.permute(0, 1, 4, 3, 2).reshape(-1, 2L * h).mmul(hSide).reshape(-1, coils, w, 2, h);
        return t.permute(0, 1, 4, 3, 2);
    }

    public int coils() {
        return coils;
    }
}
