package org.deqbench.solve;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plain fixed-point (Picard) iteration x_{k+1} = T(x_k), batched, stopping each example when
 * ‖x_{k+1} − x_k‖ / ‖x_{k+1}‖ ≤ tolerance — MOL's forward and backward loops (Pramanik et al.,
 * IEEE TCI 2023: tolerance 1e-4, up to 500 iterations). Converges linearly at the contraction
 * factor of T when T is a contraction (MOL: 1 − α·m for an m-monotone F and small α).
 *
 * @param maxIterations cap on applications of T
 * @param tolerance     relative-change tolerance per example
 */
public record FixedPointIteration(int maxIterations, double tolerance) implements FixedPointSolver {

    public FixedPointIteration {
        if (maxIterations < 1 || !(tolerance >= 0)) {
            throw new IllegalArgumentException("fixed-point iteration needs maxIterations >= 1 and tolerance >= 0, got "
                    + maxIterations + ", " + tolerance);
        }
    }

    @Override
    public SolveResult solve(UnaryOperator<INDArray> map, INDArray x0) {
        long[] shape = x0.shape();
        int batch = (int) shape[0];
        INDArray x = x0.dup('c');
        INDArray xr = Batch.rows(x);
        boolean[] done = new boolean[batch];
        int[] iterations = new int[batch];
        double[] residual = new double[batch];
        Arrays.fill(residual, Double.POSITIVE_INFINITY);
        double[] history = new double[maxIterations + 1];
        history[0] = Double.POSITIVE_INFINITY;
        int k = 0;
        int remaining = batch;
        while (k < maxIterations && remaining > 0) {
            INDArray next = SectionTimes.timed(SectionTimes.Section.FIXED_POINT_MAP, map, x);
            checkShape(next, shape);
            k++;
            INDArray nr = Batch.rows(next);
            double[] dn = Batch.norm(nr.sub(xr));
            double[] nn = Batch.norm(nr);
            boolean allActive = remaining == batch;
            if (allActive) {
                xr.assign(nr);
            }
            for (int i = 0; i < batch; i++) {
                if (done[i]) {
                    continue;
                }
                residual[i] = relative(dn[i], nn[i]);
                iterations[i] = k;
                if (!allActive) {
                    xr.getRow(i).assign(nr.getRow(i));
                }
                if (residual[i] <= tolerance) {
                    done[i] = true;
                    remaining--;
                }
            }
            history[k] = Batch.max(residual);
        }
        return new SolveResult(x, k, Arrays.copyOf(history, k + 1), remaining == 0, iterations, residual, k);
    }

    static double relative(double difference, double norm) {
        if (norm == 0) {
            return difference == 0 ? 0.0 : Double.POSITIVE_INFINITY;
        }
        return difference / norm;
    }

    static void checkShape(INDArray a, long[] shape) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("fixed-point map returned shape " + Arrays.toString(a.shape())
                    + " for an input of shape " + Arrays.toString(shape));
        }
    }
}
