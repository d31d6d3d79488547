package org.deqbench.physics;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Operator algebra (composition, scaling; shapes checked when the operator is built, not deep
 * inside a solver, as in SigPy's Linop algebra) and the operator norm of {@link LinearOperator}s.
 */
public final class Operators {
    private Operators() {
    }

    /**
     * B ∘ A: x ↦ B(A x), with (B A)^H = A^H B^H and (B A)^H (B A) = A^H (B^H B) A (so B's own
     * normal operator is used). Requires A's range shape to equal B's domain shape.
     */
    public static LinearOperator compose(LinearOperator outer, LinearOperator inner) {
        return compose(outer, inner, outer.normBound() * inner.normBound(), false);
    }

    /**
     * {@link #compose(LinearOperator, LinearOperator)} with the exact norm of the composition
     * known to the caller (e.g. {@link Blur#decimatedNorm} for super-resolution); the plain form
     * bounds ‖B A‖ ≤ ‖B‖ ‖A‖, which is valid but may be loose.
     */
    public static LinearOperator compose(LinearOperator outer, LinearOperator inner, double exactNorm) {
        if (!(exactNorm >= 0)) {
            throw new IllegalArgumentException("the norm of " + outer.describe() + " ∘ " + inner.describe()
                    + " must be ≥ 0, found " + exactNorm);
        }
        return compose(outer, inner, exactNorm, true);
    }

    /** ‖B A‖ ≤ bound (NaN: none known); {@code exact}: the bound is the norm. */
    private static LinearOperator compose(LinearOperator outer, LinearOperator inner, double bound, boolean exact) {
        if (!Arrays.equals(inner.rangeShape(), outer.domainShape())) {
            throw new IllegalArgumentException("cannot compose " + outer.describe() + " after " + inner.describe()
                    + ": the inner range " + Arrays.toString(inner.rangeShape()) + " differs from the outer domain "
                    + Arrays.toString(outer.domainShape()));
        }
        return new LinearOperator() {
            @Override
            public long[] domainShape() {
                return inner.domainShape();
            }

            @Override
            public long[] rangeShape() {
                return outer.rangeShape();
            }

            @Override
            public INDArray apply(INDArray x) {
                return outer.apply(inner.apply(x));
            }

            @Override
            public INDArray adjoint(INDArray y) {
                return inner.adjoint(outer.adjoint(y));
            }

            @Override
            public INDArray normal(INDArray x) {
                return inner.adjoint(outer.normal(inner.apply(x)));
            }

            @Override
            public double normBound() {
                return bound;
            }

            @Override
            public boolean normBoundIsExact() {
                return exact && !Double.isNaN(bound);
            }

            @Override
            public String describe() {
                return outer.describe() + " ∘ " + inner.describe();
            }
        };
    }

    /** s A, with (s A)^H = s A^H and (s A)^H (s A) = s² A^H A (s real and finite). */
    public static LinearOperator scale(LinearOperator op, double s) {
        if (!Double.isFinite(s)) {
            throw new IllegalArgumentException("cannot scale " + op.describe() + " by " + s);
        }
        return new LinearOperator() {
            @Override
            public long[] domainShape() {
                return op.domainShape();
            }

            @Override
            public long[] rangeShape() {
                return op.rangeShape();
            }

            @Override
            public INDArray apply(INDArray x) {
                return op.apply(x).muli(s);
            }

            @Override
            public INDArray adjoint(INDArray y) {
                return op.adjoint(y).muli(s);
            }

            @Override
            public INDArray normal(INDArray x) {
                return op.normal(x).muli(s * s);
            }

            /** ‖s A‖ = |s| ‖A‖, exact when A's bound is. */
            @Override
            public double normBound() {
                return Math.abs(s) * op.normBound();
            }

            @Override
            public boolean normBoundIsExact() {
                return op.normBoundIsExact();
            }

            @Override
            public String describe() {
                return s + "·" + op.describe();
            }
        };
    }

    /**
     * The result of {@link #norm}: the estimate of ‖A‖₂ (largest singular value), the iterations
     * used and the last relative change of the estimate.
     */
    public record NormEstimate(double norm, int iterations, double relativeChange) {
    }

    /**
     * ‖A‖₂ by plain power iteration on A^H A (in float64): u = A^H A v for unit v, σ² ≈ ⟨v, u⟩ (the
     * Rayleigh quotient, whose error decays as (σ₂/σ₁)^{4k}, twice as fast as ‖u‖'s), v ← u / ‖u‖,
     * until the relative change of σ² is below {@code tolerance}. The estimate approaches ‖A‖ from
     * below; how fast depends on the gap between the two largest singular values (MRI operators with
     * normalised coil maps have many singular values close to 1, so their estimates converge to
     * the cluster quickly and to the exact top value slowly).
     *
     * @param batch batch size of the input (the norm of a batched operator is the largest norm
     *              over its examples)
     * @param seed  seed of the random start vector
     */
    public static NormEstimate powerIteration(LinearOperator op, int batch, int maxIterations, double tolerance, long seed) {
        long[] d = op.domainShape();
        long[] shape = new long[d.length + 1];
        shape[0] = batch;
        System.arraycopy(d, 0, shape, 1, d.length);
        INDArray v = Noise.gaussian(shape, 1.0, new Random(seed), DataType.DOUBLE);
        v.divi(v.norm2Number().doubleValue());
        double sigma2 = 0;
        double change = Double.POSITIVE_INFINITY;
        int it = 0;
        while (it < maxIterations) {
            it++;
            INDArray u = op.normal(v).castTo(DataType.DOUBLE);
            double next = v.mul(u).sumNumber().doubleValue();
            double length = u.norm2Number().doubleValue();
            if (length == 0) {
                return new NormEstimate(0, it, 0);
            }
            change = Math.abs(next - sigma2) / next;
            sigma2 = next;
            v = u.divi(length);
            if (change < tolerance) {
                break;
            }
        }
        return new NormEstimate(Math.sqrt(Math.max(sigma2, 0)), it, change);
    }

    /**
     * ‖A‖₂ as the largest Ritz value of A^H A on the Krylov space K_k = span{v, A^H A v, …,
     * (A^H A)^{k−1} v} (Lanczos with full reorthogonalisation; Ritz values of the tridiagonal
     * matrix by Commons Math). K_k contains the k-th power-iteration vector from the same start, so
     * the estimate is never below {@link #powerIteration}'s after k steps, and it is a lower bound
     * of ‖A‖ as well; it converges much faster when the top of the spectrum is clustered, as for
     * MRI operators with normalised coil maps. Stops when the estimate of σ² changes by less than
     * {@code tolerance} (relative), after {@code maxIterations} products with A^H A, or when the
     * Krylov space is exhausted (then the value is exact). Keeps up to {@code maxIterations}
     * vectors of the input size in memory.
     *
     * @param batch batch size of the input (a batched operator's norm is its largest over examples)
     * @param seed  seed of the random start vector
     */
    public static NormEstimate norm(LinearOperator op, int batch, int maxIterations, double tolerance, long seed) {
        long[] d = op.domainShape();
        long[] shape = new long[d.length + 1];
        shape[0] = batch;
        System.arraycopy(d, 0, shape, 1, d.length);
        double[] v = Noise.gaussianValues(Math.toIntExact(Arrays.stream(shape).reduce(1L, (a, b) -> a * b)), 1.0,
                new Random(seed));
        int n = v.length;
        scale(v, 1 / norm2(v));
        java.util.List<double[]> basis = new java.util.ArrayList<>();
        double[] alpha = new double[maxIterations];
        double[] beta = new double[maxIterations];
        double theta = 0;
        double change = Double.POSITIVE_INFINITY;
        int k = 0;
        while (k < maxIterations) {
            basis.add(v);
            double[] w = HostArrays.toDouble(op.normal(HostArrays.fromDouble(v, shape, DataType.DOUBLE)));
            alpha[k] = dot(w, v);
            // full reorthogonalisation, twice ("twice is enough"), keeps the Ritz values honest
            for (int pass = 0; pass < 2; pass++) {
                for (double[] q : basis) {
                    axpy(-dot(w, q), q, w);
                }
            }
            k++;
            double next = largestRitzValue(alpha, beta, k);
            change = Math.abs(next - theta) / Math.max(next, Double.MIN_NORMAL);
            theta = next;
            double b = norm2(w);
            if (change < tolerance || b <= 1e-13 * Math.max(theta, Double.MIN_NORMAL) || k == n) {
                break;
            }
            beta[k - 1] = b;
            scale(w, 1 / b);
            v = w;
        }
        return new NormEstimate(Math.sqrt(Math.max(theta, 0)), k, change);
    }

    private static double largestRitzValue(double[] alpha, double[] beta, int k) {
        if (k == 1) {
            return alpha[0];
        }
        double[] values = new org.apache.commons.math3.linear.EigenDecomposition(Arrays.copyOf(alpha, k),
                Arrays.copyOf(beta, k - 1)).getRealEigenvalues();
        double max = Double.NEGATIVE_INFINITY;
        for (double x : values) {
            max = Math.max(max, x);
        }
        return max;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double norm2(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
    }

    private static void axpy(double s, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += s * x[i];
        }
    }
}
