package org.deqbench.train;

import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.spec.LipschitzSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MOL-LR's local Lipschitz estimate of H around points u (the fixed points of a batch), per
 * example (Pramanik, Zimmerman, Jacob, IEEE TCI 2023, and the official code):
 * <pre>
 *   l̂(u) = max over v near u of  r(v) = ‖H(v) − H(u)‖ / ‖v − u‖
 * </pre>
 * by {@code ascentSteps} steps of gradient ascent on r from v₀ = u + {@code perturbation}·noise,
 * rescaling δ = v − u to its initial norm after every step so the estimate stays local. The step
 * size is η = ‖δ‖²/r, for which the ascent step has the closed form
 * <pre>
 *   δ + η ∇_v r = ‖δ‖² J_H(v)^T (H(v) − H(u)) / ‖H(v) − H(u)‖²
 * </pre>
 * i.e. for linear H exactly one power-iteration step on J^T J: the estimate then converges to the
 * Jacobian's spectral norm from below. Each step costs one forward pass and one VJP.
 *
 * <p>With {@code ascent: official} it follows the official code's
 * {@code Lipschitz.adverserial_update} instead: v₀ = u + perturbation·ξ with ξ ~ U[0, 1) in every
 * real and imaginary entry, then {@code ascentSteps} times
 * <pre>
 *   v ← v + η ∇_v r(v),   ∇_v r = J_H(v)^T d / (‖d‖ ‖δ‖) − ‖d‖ δ / ‖δ‖³,   v ← v ‖u‖ / ‖v‖
 * </pre>
 * (η = {@code ascent_learning_rate}, 1 in the official code; norms per example, which is the
 * official whole-batch norm at its batch size 1). Note that rescaling v, not δ, to ‖u‖ lets
 * δ = v − u grow far beyond the initial perturbation: the official estimate is not local.
 *
 * <p>The penalty's gradient with u and v held fixed (as in the official code, no gradient through
 * the ascent or the fixed point) is
 * <pre>
 *   ∂ l̂ / ∂θ = (J_{H,θ}(v) − J_{H,θ}(u))^T d / (‖d‖ ‖δ‖),   d = H(v) − H(u)
 * </pre>
 * computed by one VJP on the batch [v; u] with cotangents [c·d; −c·d].
 */
public final class LocalLipschitzEstimate {
    /**
     * @param perExample l̂ of each example
     * @param u          the points {@code [B, ...]}
     * @param v          the maximisers found {@code [B, ...]}
     * @param difference d = H(v) − H(u)
     */
    public record Estimate(double[] perExample, INDArray u, INDArray v, INDArray difference) {
        public double max() {
            return java.util.Arrays.stream(perExample).max().orElse(Double.NaN);
        }

        public double mean() {
            return java.util.Arrays.stream(perExample).average().orElse(Double.NaN);
        }
    }

    private LocalLipschitzEstimate() {
    }

    /** The estimate at points {@code u}, with the starting noise drawn from {@code seed}. */
    public static Estimate estimate(ConvNet h, INDArray u, LipschitzSpec spec, long seed) {
        if ("official".equals(spec.ascent())) {
            return official(h, u, spec, seed);
        }
        int batch = (int) u.size(0);
        DataType dtype = h.dataType();
        INDArray uu = u.castTo(dtype);
        INDArray hu = h.forward(uu);
        Nd4j.getRandom().setSeed(seed);
        INDArray delta = Nd4j.randn(dtype, uu.shape()).muli(spec.perturbation());
        double[] radius = norms(delta);
        INDArray v = uu.add(delta);
        INDArray d = h.forward(v).subi(hu);
        for (int k = 0; k < spec.ascentSteps(); k++) {
            INDArray jtd = h.vjp(v, d).input();
            double[] jn = norms(jtd);
            double[] keep = new double[batch];
            for (int i = 0; i < batch; i++) {
                keep[i] = jn[i] > 0 ? 0 : 1; // J^T d = 0 (e.g. all units inactive): keep the direction
            }
            delta = scaleRows(jtd, radius, jn).addi(scaleRows(delta, keep, null));
            v = uu.add(delta);
            d = h.forward(v).subi(hu);
        }
        double[] dn = norms(d);
        double[] vn = norms(delta);
        double[] l = new double[batch];
        for (int i = 0; i < batch; i++) {
            l[i] = vn[i] > 0 ? dn[i] / vn[i] : 0;
        }
        return new Estimate(l, uu, v, d);
    }

    /** The official code's ascent (see the class comment). */
    static Estimate official(ConvNet h, INDArray u, LipschitzSpec spec, long seed) {
        int batch = (int) u.size(0);
        DataType dtype = h.dataType();
        INDArray uu = u.castTo(dtype);
        INDArray hu = h.forward(uu);
        double[] un = norms(uu);
        Nd4j.getRandom().setSeed(seed);
        INDArray v = uu.add(Nd4j.rand(dtype, uu.shape()).muli(spec.perturbation()));
        INDArray d = h.forward(v).subi(hu);
        for (int k = 0; k < spec.ascentSteps(); k++) {
            INDArray delta = v.sub(uu);
            double[] dn = norms(d);
            double[] vn = norms(delta);
            double[] a = new double[batch];
            double[] c = new double[batch];
            for (int i = 0; i < batch; i++) {
                a[i] = dn[i] > 0 && vn[i] > 0 ? spec.ascentLearningRate() / (dn[i] * vn[i]) : 0;
                c[i] = vn[i] > 0 ? -spec.ascentLearningRate() * dn[i] / (vn[i] * vn[i] * vn[i]) : 0;
            }
            INDArray jtd = h.vjp(v, d).input();
            v = v.add(scaleRows(jtd, a, null)).addi(scaleRows(delta, c, null));
            v = scaleRows(v, un, norms(v));
            d = h.forward(v).subi(hu);
        }
        double[] dn = norms(d);
        double[] vn = norms(v.sub(uu));
        double[] l = new double[batch];
        for (int i = 0; i < batch; i++) {
            l[i] = vn[i] > 0 ? dn[i] / vn[i] : 0;
        }
        return new Estimate(l, uu, v, d);
    }

    /**
     * Σ_i weight_i · ∂ l̂_i/∂θ for an estimate (u, v fixed), keyed like {@link ConvNet#parameters()}.
     */
    public static Map<String, INDArray> gradient(ConvNet h, Estimate e, double[] weight) {
        int batch = e.perExample().length;
        double[] dn = norms(e.difference());
        double[] vn = norms(e.v().sub(e.u()));
        double[] c = new double[batch];
        for (int i = 0; i < batch; i++) {
            c[i] = dn[i] > 0 && vn[i] > 0 ? weight[i] / (dn[i] * vn[i]) : 0;
        }
        INDArray cd = scaleRows(e.difference(), c, null);
        INDArray points = Nd4j.concat(0, e.v(), e.u());
        INDArray cot = Nd4j.concat(0, cd, cd.neg());
        return h.vjp(points, cot).parameters();
    }

    /** Per-example Euclidean norms of a batch. */
    static double[] norms(INDArray a) {
        long b = a.size(0);
        return a.reshape(b, a.length() / b).norm2(1).castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** Row i of {@code a} times scale[i] (divided by divisor[i] when given). */
    static INDArray scaleRows(INDArray a, double[] scale, double[] divisor) {
        double[] f = new double[scale.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = divisor == null ? scale[i] : divisor[i] > 0 ? scale[i] / divisor[i] : 0;
        }
        long b = a.size(0);
        INDArray col = Nd4j.createFromArray(f).castTo(a.dataType()).reshape(b, 1);
        return a.reshape(b, a.length() / b).mulColumnVector(col).reshape(a.shape());
    }
}
