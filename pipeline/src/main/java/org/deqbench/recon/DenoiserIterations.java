package org.deqbench.recon;

import java.util.ArrayList;
import java.util.List;
import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.PowerIteration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The iteration engine shared by {@link PlugAndPlay} and {@link RegularizationByDenoising}: from
 * x₀ = A^H b, x_{k+1} = T(x_k) per example until the relative change ‖x_{k+1} − x_k‖ / ‖x_{k+1}‖
 * is at most the tolerance (the example is then frozen) or the iteration cap is reached, and
 * the exact vector-Jacobian product of the map so computed by a backward sweep through the
 * stored iterates (one image per iteration and example): for a cotangent c_K = g,
 * <pre>
 *   c_k = J_T(x_k)^T c_{k+1},   ∂ℓ/∂(A^H b) += (∂T/∂(A^H b))^T c_{k+1}     (k = K−1 … 0, active examples)
 *   ∂ℓ/∂b = A (∂ℓ/∂(A^H b) + c_0)                                            (x₀ = A^H b)
 * </pre>
 * A frozen example passes its cotangent through unchanged. This is the derivative of the
 * computed map for a fixed number of iterations per example; no fixed point is assumed.
 *
 * <p><b>Divergence.</b> Neither scheme is guaranteed to converge with a CNN denoiser (an
 * expansive D is applied again and again on the null space of A). An example whose next iterate
 * is not finite or exceeds {@value #DIVERGENCE_FACTOR}·max(‖x₀‖, 1) in norm is frozen at its last
 * iterate and reported as diverged, so that a reconstruction is always finite and the divergence
 * is visible in {@code method.json} rather than as NaN.
 */
final class DenoiserIterations {
    /** Growth of ‖x_k‖ over max(‖x₀‖, 1) at which an example is declared diverged. */
    static final double DIVERGENCE_FACTOR = 1e4;
    private DenoiserIterations() {
    }

    /** One step T and its derivatives. */
    interface Step {
        /** T(x) for the batch, given A^H b. */
        INDArray apply(LinearOperator op, INDArray adjointMeasurements, INDArray x);

        /** (J_T(x)^T c, (∂T/∂(A^H b))^T c), given A^H b. */
        INDArray[] vjp(LinearOperator op, INDArray adjointMeasurements, INDArray x, INDArray c);
    }

    /**
     * The iterates and how the iteration ended.
     *
     * @param iterates   x₀ … x_K (batch arrays)
     * @param active     per iteration k &lt; K, which examples were still iterating
     * @param iterations per example
     * @param change     final relative change per example
     * @param converged  per example, whether the tolerance was met
     * @param diverged   per example, whether it was stopped by the divergence guard
     */
    record Trace(LinearOperator operator, INDArray adjointMeasurements, List<INDArray> iterates, List<boolean[]> active,
                 int[] iterations, double[] change, boolean[] converged, boolean[] diverged) {
        INDArray x() {
            return iterates.get(iterates.size() - 1);
        }

        IterationOutcome outcome(DataType dtype) {
            return new IterationOutcome(x().castTo(dtype), iterations, change, converged, diverged);
        }
    }

    static Trace forward(Step step, INDArray b, LinearOperator op, int maxIterations, double tolerance) {
        INDArray ahb = op.adjoint(b);
        int n = (int) b.size(0);
        List<INDArray> xs = new ArrayList<>();
        List<boolean[]> actives = new ArrayList<>();
        INDArray x = ahb.dup('c');
        xs.add(x);
        int[] iterations = new int[n];
        double[] change = new double[n];
        java.util.Arrays.fill(change, Double.POSITIVE_INFINITY);
        boolean[] converged = new boolean[n];
        boolean[] diverged = new boolean[n];
        double[] limit = ElderReconstructor.norms(x);
        for (int i = 0; i < n; i++) {
            limit[i] = DIVERGENCE_FACTOR * Math.max(limit[i], 1.0);
        }
        for (int k = 0; k < maxIterations; k++) {
            boolean[] active = new boolean[n];
            boolean any = false;
            for (int i = 0; i < n; i++) {
                active[i] = !converged[i] && !diverged[i];
                any |= active[i];
            }
            if (!any) {
                break;
            }
            INDArray next = step.apply(op, ahb, x).dup('c');
            double[] diff = ElderReconstructor.norms(next.sub(x));
            double[] norm = ElderReconstructor.norms(next);
            for (int i = 0; i < n; i++) {
                if (active[i] && !(norm[i] <= limit[i])) {
                    diverged[i] = true;
                    active[i] = false;
                }
                if (active[i]) {
                    iterations[i]++;
                    change[i] = diff[i] / Math.max(norm[i], 1e-30);
                    converged[i] = change[i] <= tolerance;
                } else {
                    next.slice(i).assign(x.slice(i));
                }
            }
            actives.add(active);
            xs.add(next);
            x = next;
        }
        return new Trace(op, ahb, List.copyOf(xs), List.copyOf(actives), iterations, change, converged, diverged);
    }

    /** ∂ℓ/∂b for the cotangent {@code g} = ∂ℓ/∂x_K. */
    static INDArray measurementVjp(Step step, Trace t, INDArray g) {
        LinearOperator op = t.operator();
        INDArray c = g.castTo(t.x().dataType()).dup('c');
        INDArray gAhb = c.ulike().assign(0);
        for (int k = t.active().size() - 1; k >= 0; k--) {
            boolean[] active = t.active().get(k);
            INDArray[] v = step.vjp(op, t.adjointMeasurements(), t.iterates().get(k), c);
            for (int i = 0; i < active.length; i++) {
                if (active[i]) {
                    c.slice(i).assign(v[0].slice(i));
                    gAhb.slice(i).addi(v[1].slice(i));
                }
            }
        }
        return op.apply(gAhb.addi(c));
    }

    /**
     * ‖A‖² for the step size: the operator's proven norm bound when it has one, otherwise a power
     * iteration estimate on A^H A (100 steps, relative change 1e-6, seeded), raised by 1 % because
     * the estimate approaches ‖A‖ from below. The whole batch is one vector, so this is the
     * largest over its examples.
     */
    static double squaredNorm(LinearOperator op, long batch, DataType dtype) {
        double bound = op.normBound();
        if (Double.isFinite(bound) && bound > 0) {
            return bound * bound;
        }
        long[] shape = new long[op.domainShape().length + 1];
        shape[0] = batch;
        System.arraycopy(op.domainShape(), 0, shape, 1, op.domainShape().length);
        double sigma = new PowerIteration(100, 1e-6, 17).largestSingularValue(op::normal, shape, dtype).value();
        return Math.pow(1.01 * sigma, 2);
    }
}
