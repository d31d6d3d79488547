package org.deqbench.recon;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MoDL's unrolled reconstruction as one SameDiff graph (Aggarwal, Mani, Jacob, IEEE TMI 2019):
 * <pre>
 *   x₀ = A^H b
 *   x_{k+1} = (A^H A + λI)^{-1} (A^H b + λ D_w(x_k)),   D_w(x) = x − N_w(x),   k = 0 … K−1
 * </pre>
 * with one CNN N_w shared by the K iterations and the inverse computed by {@code cgIterations}
 * conjugate-gradient steps from zero (as in the MoDL code), all unrolled in the graph so that
 * backpropagation runs through every iteration and every CG step. That is what makes MoDL's
 * training memory grow linearly with K: the graph keeps the activations of all K network
 * evaluations and all K·cgIterations normal-operator applications for the backward pass.
 * λ = exp(log λ) keeps the learned weight positive.
 *
 * <p>Placeholders: {@value #KSPACE} {@code [B, C, 2, H, W]}, {@value #MAPS} {@code [B, C, 2, H, W]},
 * {@value #MASK} {@code [B, H, W]}, and {@value #TARGET} {@code [B, 2, H, W]} (training graph, loss
 * {@value #LOSS} = mean squared error) or {@value #COTANGENT} {@code [B, 2, H, W]} (VJP graph, loss
 * ⟨x_K, v⟩). Output {@value #OUTPUT} = x_K.
 */
public final class ModlGraph {
    public static final String KSPACE = "kspace";
    public static final String MAPS = "coil_maps";
    public static final String MASK = "mask";
    public static final String TARGET = "target";
    public static final String COTANGENT = "cotangent";
    public static final String OUTPUT = "reconstruction";
    public static final String LOSS = "loss";
    public static final String LOG_LAMBDA = "log_lambda";
    /** A constant-1 variable the VJP graph multiplies the k-space by (see {@link #build}). */
    static final String GATE = "kspace_gate";
    /** Guards CG's divisions when a residual vanishes exactly (α, β → 0 then). */
    private static final double TINY = 1e-30;

    /** What the graph ends in. */
    public enum Purpose {
        /** loss = mean((x_K − target)²). */
        TRAIN,
        /** loss = ⟨x_K, cotangent⟩, for gradients with respect to the k-space. */
        VJP,
        /** no loss: reconstruction only. */
        INFER
    }

    /** Builds N_w into a graph: {@code input [B, 2, H, W]} ↦ N_w(input), sharing weights across calls. */
    @FunctionalInterface
    public interface Network {
        SDVariable build(SameDiff sd, SDVariable input);
    }

    private ModlGraph() {
    }

    /**
     * @param logLambda scalar array backing the {@value #LOG_LAMBDA} variable (shared, not copied)
     */
    public static SameDiff build(Purpose purpose, Network network, INDArray logLambda, int iterations,
                                 int cgIterations, int coils, int height, int width, DataType dtype) {
        LinearSubgraphSession.install();
        SameDiff sd = SameDiff.create();
        SDVariable kspace = sd.placeHolder(KSPACE, dtype, -1, coils, 2, height, width);
        SDVariable maps = sd.placeHolder(MAPS, dtype, -1, coils, 2, height, width);
        SDVariable mask = sd.placeHolder(MASK, dtype, -1, height, width);
        SDVariable lambda = sd.math.exp(sd.var(LOG_LAMBDA, logLambda));
        MriGraph mri = new MriGraph(sd, maps, mask, coils, height, width, dtype);
        if (purpose == Purpose.VJP) {
            // SameDiff M2.1 only differentiates with respect to a placeholder along paths that
            // meet a VARIABLE before meeting another placeholder (k-space ⊙ mask would otherwise be
            // treated as constant and its gradient silently dropped): route b through a unit variable.
            kspace = kspace.mul(sd.var(GATE, Nd4j.scalar(dtype, 1.0)));
        }
        SDVariable ahb = mri.adjoint(kspace);
        SDVariable x = ahb;
        for (int k = 0; k < iterations; k++) {
            SDVariable denoised = x.sub(network.build(sd, x));
            SDVariable rhs = ahb.add(denoised.mul(lambda));
            x = mri.fromRows(conjugateGradient(sd, mri, lambda, mri.toRows(rhs), cgIterations));
        }
        SDVariable out = x.rename(OUTPUT);
        switch (purpose) {
            case TRAIN -> {
                SDVariable target = sd.placeHolder(TARGET, dtype, -1, 2, height, width);
                sd.math.squaredDifference(out, target).mean().rename(LOSS);
                sd.setLossVariables(LOSS);
            }
            case VJP -> {
                SDVariable v = sd.placeHolder(COTANGENT, dtype, -1, 2, height, width);
                out.mul(v).sum().rename(LOSS);
                sd.setLossVariables(LOSS);
            }
            default -> {
            }
        }
        return sd;
    }

    /** {@code steps} CG iterations from zero on (A^H A + λI) x = rhs, per example, in the row layout. */
    private static SDVariable conjugateGradient(SameDiff sd, MriGraph mri, SDVariable lambda, SDVariable rhs, int steps) {
        SDVariable x = sd.zerosLike(rhs);
        SDVariable r = rhs;
        SDVariable p = rhs;
        SDVariable rr = dot(r, r);
        for (int i = 0; i < steps; i++) {
            SDVariable mp = mri.normalRows(p).add(p.mul(lambda));
            SDVariable a = rr.div(dot(p, mp).add(TINY));
            x = x.add(p.mul(a));
            r = r.sub(mp.mul(a));
            SDVariable rrNew = dot(r, r);
            p = r.add(p.mul(rrNew.div(rr.add(TINY))));
            rr = rrNew;
        }
        return x;
    }

    /** Per-example inner product of [B, H, 2, W] tensors, as [B, 1, 1, 1]. */
    private static SDVariable dot(SDVariable a, SDVariable b) {
        return a.mul(b).sum(true, 1, 2, 3);
    }
}
