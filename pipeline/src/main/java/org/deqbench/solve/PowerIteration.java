package org.deqbench.solve;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The largest singular value σ₁ of a linear map M by power iteration on its Gram operator M^T M
 * (von Mises): the operator norm ‖M‖₂ of a convolution layer, of a measurement operator, or of a
 * network's Jacobian at a point (M = J, Gram J^T J) — the per-layer factors of a Lipschitz
 * certificate and the local estimates it is compared with (DESIGN.md §3, Certification).
 *
 * <pre>
 *   v₀ = seeded Gaussian / ‖·‖
 *   w = M^T M v_k,   σ_k² = ⟨v_k, w⟩ (Rayleigh quotient),   v_{k+1} = w / ‖w‖
 *   stop when |σ_k − σ_{k−1}| / σ_k ≤ tolerance, or after maxIterations
 * </pre>
 * The whole array (all axes, batch included) is one vector: for a layer or an operator pass a
 * batch of one. The Rayleigh quotient never exceeds σ₁², so the value returned is a lower estimate
 * of σ₁ that converges to it at rate (σ₂/σ₁)² per step; it is a certificate only once converged,
 * and callers that need an upper bound should say how they got one.
 *
 * @param maxIterations iteration cap (each iteration applies M^T M once)
 * @param tolerance     stop when the relative change of the σ estimate is at most this
 * @param seed          seed of the Gaussian start vector when none is given
 */
public record PowerIteration(int maxIterations, double tolerance, long seed) {

    public PowerIteration {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("power iteration needs maxIterations >= 1, got " + maxIterations);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("power iteration tolerance must be >= 0, got " + tolerance);
        }
    }

    /**
     * An estimate of σ₁.
     *
     * @param value      σ₁ estimate, √⟨v, M^T M v⟩ for the last unit vector v
     * @param iterations applications of M^T M
     * @param residual   power iteration: final relative change |σ_k − σ_{k−1}| / σ_k;
     *                   {@link Lanczos}: relative eigen-residual ‖G v − θ v‖ / θ
     * @param vector     the unit top right singular vector estimate (shape of the domain); pass it
     *                   back as the start of the next run to continue converging (spectral
     *                   normalisation keeps it across training steps)
     * @param converged  whether {@code residual ≤ tolerance} was reached within the cap
     */
    public record Result(double value, int iterations, double residual, INDArray vector, boolean converged) {
    }

    /** σ₁ of M from its Gram operator M^T M, starting from a seeded Gaussian vector of {@code shape}. */
    public Result largestSingularValue(UnaryOperator<INDArray> gram, long[] shape, DataType dtype) {
        return largestSingularValue(gram, randomStart(shape, dtype, seed));
    }

    /** σ₁ of M given M and its adjoint M^T (the Gram operator is M^T(M v)). */
    public Result largestSingularValue(UnaryOperator<INDArray> forward, UnaryOperator<INDArray> adjoint,
                                       long[] shape, DataType dtype) {
        return largestSingularValue(v -> adjoint.apply(forward.apply(v)), shape, dtype);
    }

    /**
     * σ₁ of M from its Gram operator, starting from {@code start} (for example the vector of a
     * previous run). {@code start} is not modified.
     */
    public Result largestSingularValue(UnaryOperator<INDArray> gram, INDArray start) {
        double n0 = start.norm2Number().doubleValue();
        if (!(n0 > 0) || Double.isInfinite(n0)) {
            throw new IllegalArgumentException("power iteration start vector must have a finite non-zero norm, got " + n0);
        }
        INDArray v = start.div(n0);
        double sigma = 0;
        double change = Double.POSITIVE_INFINITY;
        int k = 0;
        while (k < maxIterations) {
            INDArray w = gram.apply(v);
            k++;
            double rayleigh = v.castTo(DataType.DOUBLE).mul(w.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
            double next = Math.sqrt(Math.max(rayleigh, 0.0));
            change = next == 0 ? 0.0 : Math.abs(next - sigma) / next;
            sigma = next;
            double wn = w.norm2Number().doubleValue();
            if (wn == 0) {
                // v lies in the null space: M^T M v = 0. σ₁ = 0 only if M = 0; report what we saw.
                return new Result(0.0, k, 0.0, v, true);
            }
            v = w.div(wn);
            if (k > 1 && change <= tolerance) {
                return new Result(sigma, k, change, v, true);
            }
        }
        return new Result(sigma, k, change, v, change <= tolerance);
    }

    /** A unit-norm Gaussian vector from {@code seed}, independent of ND4J's global random state. */
    public static INDArray randomStart(long[] shape, DataType dtype, long seed) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("power iteration vector too large: " + n + " elements");
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[(int) n];
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = gaussian(random);
            sum += values[i] * values[i];
        }
        double scale = 1.0 / Math.sqrt(sum);
        for (int i = 0; i < values.length; i++) {
            values[i] *= scale;
        }
        return Nd4j.create(values, shape, DataType.DOUBLE).castTo(dtype);
    }

    private static double gaussian(SplittableRandom random) {
        // Box–Muller: SplittableRandom has no nextGaussian in Java 17.
        double u = 1.0 - random.nextDouble();
        double w = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }
}
