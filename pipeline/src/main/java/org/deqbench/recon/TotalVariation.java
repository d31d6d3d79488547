package org.deqbench.recon;

import org.deqbench.physics.HostArrays;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.Operators;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Isotropic total-variation reconstruction on any operator (compressed sensing; Rudin, Osher,
 * Fatemi 1992; Lustig, Donoho, Pauly, MRM 2007):
 * <pre>
 *   x̂ = argmin_x ½‖A x − b‖² + λ Σ_i ‖(∇x)_i‖₂
 * </pre>
 * where (∇x)_i collects the forward differences of every channel (real and imaginary parts for MRI)
 * along every spatial axis (H, W; and frames or slices for 2D+time and 3D) at pixel i, with a
 * zero difference past the last pixel (Neumann boundary), so ‖∇‖² ≤ 4d for d spatial axes.
 *
 * <p>Solver: the primal-dual algorithm of Chambolle and Pock (J. Math. Imaging Vis. 2011) on
 * K = [A; ∇] with steps σ = τ = 0.99/‖K‖, ‖K‖² ≤ ‖A‖² + 4d, and θ = 1:
 * <pre>
 *   p ← (p + σ(A x̄ − b)) / (1 + σ)                 (prox of the conjugate of ½‖· − b‖²)
 *   q ← Π_{‖q_i‖ ≤ λ}(q + σ ∇x̄)                     (projection per pixel)
 *   x⁺ = x − τ (A^H p + ∇^T q),   x̄ = 2x⁺ − x
 * </pre>
 * from x = A^H b, for a fixed number of iterations; the objective converges as O(1/k). ‖A‖ is the
 * operator's proven bound, or, where it knows none, a power-iteration estimate enlarged by 5 %.
 *
 * <p><b>Guarantees.</b> The objective is convex, so the minimiser is a stable function of b in the
 * sense of variational regularisation, but the map b ↦ x̂ is not differentiable (TV is not smooth)
 * and this class proves no Lipschitz bound: it is a {@link Reconstructor}, attacked by random
 * perturbations only. Computation is in float64.
 *
 * @param lambda     TV weight λ > 0
 * @param iterations primal-dual iterations
 */
public record TotalVariation(double lambda, int iterations) implements Reconstructor {
    public TotalVariation {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("tv needs lambda > 0, got " + lambda);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("tv needs iterations ≥ 1, got " + iterations);
        }
    }

    @Override
    public INDArray reconstruct(INDArray measurements, LinearOperator op) {
        INDArray b = measurements.castTo(DataType.DOUBLE);
        long[] shape = op.adjoint(b).shape();
        Gradient grad = new Gradient(shape);
        double normA = op.normBound();
        if (Double.isNaN(normA)) {
            normA = 1.05 * Operators.norm(op, (int) shape[0], 100, 1e-6, 1).norm();
        }
        double step = 0.99 / Math.sqrt(normA * normA + 4.0 * grad.axes());
        INDArray x = op.adjoint(b);
        INDArray xBar = x.dup();
        INDArray p = b.ulike().assign(0);
        double[] q = new double[grad.axes() * (int) x.length()];
        for (int k = 0; k < iterations; k++) {
            p.addi(op.apply(xBar).subi(b).muli(step)).divi(1 + step);
            double[] g = grad.apply(HostArrays.toDouble(xBar));
            for (int i = 0; i < q.length; i++) {
                q[i] += step * g[i];
            }
            grad.project(q, lambda);
            INDArray gq = HostArrays.fromDouble(grad.adjoint(q), shape, DataType.DOUBLE);
            INDArray next = x.sub(op.adjoint(p).addi(gq).muli(step));
            xBar = next.mul(2).subi(x);
            x = next;
        }
        return x.castTo(measurements.dataType());
    }

    /** The objective ½‖A x − b‖² + λ TV(x), summed over the batch. */
    public double objective(INDArray x, INDArray measurements, LinearOperator op) {
        INDArray xd = x.castTo(DataType.DOUBLE);
        double r = op.apply(xd).subi(measurements.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        Gradient grad = new Gradient(xd.shape());
        return 0.5 * r * r + lambda * grad.totalVariation(grad.apply(HostArrays.toDouble(xd)));
    }

    /**
     * Forward differences on arrays {@code [B, C, S₁, …, S_d]} (row-major), as d stacked copies of
     * the image: entry (a, j) is the difference along spatial axis a at flat index j.
     */
    static final class Gradient {
        private final int batch;
        private final int channels;
        private final int[] sizes;
        private final int[] strides;
        private final int pixels;

        Gradient(long[] shape) {
            batch = (int) shape[0];
            channels = (int) shape[1];
            sizes = new int[shape.length - 2];
            strides = new int[sizes.length];
            int stride = 1;
            for (int a = sizes.length - 1; a >= 0; a--) {
                sizes[a] = (int) shape[a + 2];
                strides[a] = stride;
                stride *= sizes[a];
            }
            pixels = stride;
        }

        int axes() {
            return sizes.length;
        }

        private int length() {
            return batch * channels * pixels;
        }

        /** Coordinate of flat pixel index {@code j} (within one channel) along axis {@code a}. */
        private int coordinate(int j, int a) {
            return (j / strides[a]) % sizes[a];
        }

        double[] apply(double[] x) {
            int n = length();
            double[] g = new double[sizes.length * n];
            for (int a = 0; a < sizes.length; a++) {
                for (int i = 0; i < n; i++) {
                    if (coordinate(i % pixels, a) < sizes[a] - 1) {
                        g[a * n + i] = x[i + strides[a]] - x[i];
                    }
                }
            }
            return g;
        }

        /** ∇^T q: (D^T q)_i = q_{i−1} − q_i along each axis, with q zero past the last difference. */
        double[] adjoint(double[] q) {
            int n = length();
            double[] out = new double[n];
            for (int a = 0; a < sizes.length; a++) {
                for (int i = 0; i < n; i++) {
                    int c = coordinate(i % pixels, a);
                    double v = 0;
                    if (c >= 1) {
                        v += q[a * n + i - strides[a]];
                    }
                    if (c < sizes[a] - 1) {
                        v -= q[a * n + i];
                    }
                    out[i] += v;
                }
            }
            return out;
        }

        /** Projects every pixel's vector (all channels, all axes) onto the ball of radius {@code radius}. */
        void project(double[] q, double radius) {
            int n = length();
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < pixels; j++) {
                    double s = 0;
                    for (int c = 0; c < channels; c++) {
                        for (int a = 0; a < sizes.length; a++) {
                            double v = q[a * n + (b * channels + c) * pixels + j];
                            s += v * v;
                        }
                    }
                    double norm = Math.sqrt(s);
                    if (norm > radius) {
                        double f = radius / norm;
                        for (int c = 0; c < channels; c++) {
                            for (int a = 0; a < sizes.length; a++) {
                                q[a * n + (b * channels + c) * pixels + j] *= f;
                            }
                        }
                    }
                }
            }
        }

        /** Σ_i ‖(∇x)_i‖ for a gradient from {@link #apply}. */
        double totalVariation(double[] g) {
            int n = length();
            double tv = 0;
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < pixels; j++) {
                    double s = 0;
                    for (int c = 0; c < channels; c++) {
                        for (int a = 0; a < sizes.length; a++) {
                            double v = g[a * n + (b * channels + c) * pixels + j];
                            s += v * v;
                        }
                    }
                    tv += Math.sqrt(s);
                }
            }
            return tv;
        }
    }
}
