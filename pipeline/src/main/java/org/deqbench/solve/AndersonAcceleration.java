package org.deqbench.solve;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularMatrixException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Anderson acceleration of x = T(x) (Anderson 1965; Walker &amp; Ni, SIAM J. Numer. Anal. 2011), as
 * used for deep-equilibrium forward and backward passes (Bai et al. 2019; Gilton et al., IEEE TCI
 * 2021), batched with per-example coefficients:
 * <pre>
 *   keep the last m pairs (x_j, f_j = T(x_j)) and residuals g_j = f_j − x_j of each example
 *   α = argmin ‖Σ_j α_j g_j‖² + λ_H ‖α‖²  subject to Σ_j α_j = 1
 *     = (H + λ_H I)^{-1} 1 / 1^T (H + λ_H I)^{-1} 1,   H_jl = ⟨g_j, g_l⟩,  λ_H = λ · tr(H)/m
 *   x⁺ = β Σ_j α_j f_j + (1 − β) Σ_j α_j x_j
 * </pre>
 * <b>Safeguard:</b> when the residual ‖T(x⁺) − x⁺‖ at a mixed point exceeds the residual of the last
 * accepted point, the mixed point is rejected (its pair is not stored) and the example takes the
 * plain step T(x) from the last accepted point instead, which costs no extra evaluation because
 * T(x) is already known. An example stops when ‖T(x) − x‖ / ‖T(x)‖ ≤ tolerance (the plain
 * iteration's relative change) and returns T(x).
 *
 * @param memory         m, pairs kept (1 is damped plain iteration)
 * @param maxIterations  cap on applications of T
 * @param tolerance      relative residual tolerance per example
 * @param regularization λ, relative Tikhonov weight on the mixing least-squares problem
 * @param damping        β in (0, 1]
 * @param safeguard      whether to fall back to a plain step when mixing increases the residual
 */
public record AndersonAcceleration(int memory, int maxIterations, double tolerance, double regularization,
                                   double damping, boolean safeguard) implements FixedPointSolver {

    public AndersonAcceleration {
        if (memory < 1 || maxIterations < 1 || !(tolerance >= 0) || !(regularization >= 0)
                || !(damping > 0 && damping <= 1)) {
            throw new IllegalArgumentException("Anderson acceleration needs memory >= 1, maxIterations >= 1,"
                    + " tolerance >= 0, regularization >= 0, damping in (0, 1]; got " + memory + ", " + maxIterations
                    + ", " + tolerance + ", " + regularization + ", " + damping);
        }
    }

    /** Memory m with regularisation 1e-10, no damping, safeguard on. */
    public static AndersonAcceleration of(int memory, int maxIterations, double tolerance) {
        return new AndersonAcceleration(memory, maxIterations, tolerance, 1e-10, 1.0, true);
    }

    @Override
    public SolveResult solve(UnaryOperator<INDArray> map, INDArray x0) {
        try (SectionTimes.Scope ignored = SectionTimes.enter(SectionTimes.Section.ANDERSON)) {
            return run(map, x0);
        }
    }

    private SolveResult run(UnaryOperator<INDArray> map, INDArray x0) {
        long[] shape = x0.shape();
        int batch = (int) shape[0];
        INDArray x = x0.dup('c');
        INDArray xr = Batch.rows(x);
        long n = xr.size(1);
        INDArray[] xs = new INDArray[memory];
        INDArray[] fs = new INDArray[memory];
        INDArray[] gs = new INDArray[memory];
        for (int s = 0; s < memory; s++) {
            xs[s] = Nd4j.zeros(x.dataType(), batch, n);
            fs[s] = Nd4j.zeros(x.dataType(), batch, n);
            gs[s] = Nd4j.zeros(x.dataType(), batch, n);
        }
        INDArray lastF = Nd4j.zeros(x.dataType(), batch, n);
        double[][][] gram = new double[batch][memory][memory];
        int[] count = new int[batch];
        int[] next = new int[batch];
        double[] lastResidual = new double[batch];
        Arrays.fill(lastResidual, Double.POSITIVE_INFINITY);
        boolean[] plain = new boolean[batch];
        Arrays.fill(plain, true);
        boolean[] done = new boolean[batch];
        int[] iterations = new int[batch];
        double[] residual = new double[batch];
        Arrays.fill(residual, Double.POSITIVE_INFINITY);
        double[] history = new double[maxIterations + 1];
        history[0] = Double.POSITIVE_INFINITY;
        int remaining = batch;
        int k = 0;
        while (k < maxIterations && remaining > 0) {
            INDArray f = SectionTimes.timed(SectionTimes.Section.FIXED_POINT_MAP, map, x);
            FixedPointIteration.checkShape(f, shape);
            k++;
            INDArray fr = Batch.rows(f);
            INDArray g = fr.sub(xr);
            double[] gn = Batch.norm(g);
            double[] fn = Batch.norm(fr);
            boolean[] mix = new boolean[batch];
            boolean[] wrote = new boolean[memory];
            int[] slotOf = new int[batch];
            Arrays.fill(slotOf, -1);
            for (int i = 0; i < batch; i++) {
                if (done[i]) {
                    continue;
                }
                iterations[i] = k;
                if (safeguard && !plain[i] && gn[i] > lastResidual[i]) {
                    // Mixing made things worse: take the plain step from the last accepted point.
                    xr.getRow(i).assign(lastF.getRow(i));
                    plain[i] = true;
                    continue;
                }
                residual[i] = FixedPointIteration.relative(gn[i], fn[i]);
                if (residual[i] <= tolerance) {
                    xr.getRow(i).assign(fr.getRow(i));
                    done[i] = true;
                    remaining--;
                    continue;
                }
                int s = next[i];
                xs[s].getRow(i).assign(xr.getRow(i));
                fs[s].getRow(i).assign(fr.getRow(i));
                gs[s].getRow(i).assign(g.getRow(i));
                lastF.getRow(i).assign(fr.getRow(i));
                lastResidual[i] = gn[i];
                next[i] = (s + 1) % memory;
                count[i] = Math.min(count[i] + 1, memory);
                slotOf[i] = s;
                wrote[s] = true;
                mix[i] = true;
            }
            // Update the Gram matrices H_jl = ⟨g_j, g_l⟩ in the rows of the slots just written.
            for (int s = 0; s < memory; s++) {
                if (!wrote[s]) {
                    continue;
                }
                for (int t = 0; t < memory; t++) {
                    double[] dots = Batch.dot(gs[s], gs[t]);
                    for (int i = 0; i < batch; i++) {
                        if (slotOf[i] == s) {
                            gram[i][s][t] = dots[i];
                            gram[i][t][s] = dots[i];
                        }
                    }
                }
            }
            double[][] alpha = new double[memory][batch];
            boolean anyMix = false;
            for (int i = 0; i < batch; i++) {
                if (mix[i]) {
                    double[] a = coefficients(gram[i], count[i]);
                    for (int s = 0; s < count[i]; s++) {
                        alpha[s][i] = a[s];
                    }
                    anyMix = true;
                }
            }
            if (anyMix) {
                INDArray mixed = Nd4j.zeros(x.dataType(), batch, n);
                for (int s = 0; s < memory; s++) {
                    INDArray column = Batch.column(alpha[s], x.dataType());
                    if (damping < 1) {
                        mixed.addi(xs[s].mulColumnVector(column.mul(1 - damping)));
                    }
                    mixed.addi(fs[s].mulColumnVector(column.mul(damping)));
                }
                for (int i = 0; i < batch; i++) {
                    if (mix[i]) {
                        xr.getRow(i).assign(mixed.getRow(i));
                        plain[i] = count[i] == 1 && damping == 1;
                    }
                }
            }
            history[k] = Batch.max(residual);
        }
        return new SolveResult(x, k, Arrays.copyOf(history, k + 1), remaining == 0, iterations, residual, k);
    }

    /** α = (H + λ_H I)^{-1} 1 normalised to sum 1, on the first {@code used} slots. */
    private double[] coefficients(double[][] gram, int used) {
        if (used == 1) {
            return new double[] {1.0};
        }
        double trace = 0;
        for (int s = 0; s < used; s++) {
            trace += gram[s][s];
        }
        // Scale H to unit mean diagonal: residuals shrink by many orders of magnitude during a
        // solve, and the LU pivot test is absolute.
        double scale = trace / used;
        if (!(scale > 0) || !Double.isFinite(scale)) {
            return smallestResidual(gram, used);
        }
        double[][] h = new double[used][used];
        for (int s = 0; s < used; s++) {
            for (int t = 0; t < used; t++) {
                h[s][t] = gram[s][t] / scale + (s == t ? regularization : 0);
            }
        }
        double[] ones = new double[used];
        Arrays.fill(ones, 1.0);
        try {
            RealVector a = new LUDecomposition(new Array2DRowRealMatrix(h, false), 1e-300).getSolver()
                    .solve(new ArrayRealVector(ones, false));
            double sum = 0;
            for (int s = 0; s < used; s++) {
                sum += a.getEntry(s);
            }
            if (!Double.isFinite(sum) || sum == 0) {
                return smallestResidual(gram, used);
            }
            return a.mapDivide(sum).toArray();
        } catch (SingularMatrixException e) {
            return smallestResidual(gram, used);
        }
    }

    /** Falls back to the pair with the smallest residual when the mixing system is degenerate. */
    private static double[] smallestResidual(double[][] gram, int used) {
        double[] a = new double[used];
        int best = 0;
        for (int s = 1; s < used; s++) {
            if (gram[s][s] < gram[best][best]) {
                best = s;
            }
        }
        a[best] = 1.0;
        return a;
    }
}
