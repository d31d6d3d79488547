package org.deqbench.solve;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batched conjugate gradients for M x = r with M symmetric positive definite (Hestenes–Stiefel),
 * typically M = μI + ν A^H A: the data-consistency step (A^H A + λI)^{-1} of MoDL and
 * (I + αλ A^H A)^{-1} of MOL (Aggarwal et al., IEEE TMI 2019; Pramanik et al., IEEE TCI 2023).
 *
 * <p>For every example i of the batch (first axis) independently:
 * <pre>
 *   r = b − M x₀,  p = r
 *   repeat:  α = ⟨r, r⟩ / ⟨p, M p⟩,  x ← x + α p,  r ← r − α M p,
 *            β = ⟨r⁺, r⁺⟩ / ⟨r, r⟩,  p ← r⁺ + β p
 *   until ‖r‖ / ‖b‖ ≤ tolerance or maxIterations
 * </pre>
 * An example that meets its tolerance is frozen (its α and β become 0) while the others continue,
 * so a batch returns the same solutions as solving its examples one by one. M is applied to the
 * whole batch each iteration (one call per iteration plus one for the start residual when x₀ is
 * given), which keeps the cost of a batch the cost of its slowest example.
 *
 * <p>Two forms run this iteration. On an {@link SpdSystem} (the data-consistency solves of the
 * model-based methods) the vectors are {@code double[]} in the system's own layout, loaded once and
 * stored once per solve, and all arithmetic is in double whatever b's dtype (the system's own
 * product may run at b's precision, see {@code DataConsistency}). On an operator of
 * INDArrays arithmetic is in the dtype of {@code b} (float32 or float64); inner products are reduced
 * by ND4J in that dtype and then used in double. The residual monitored is the recursive one, which
 * in float32 stalls near 1e-6 relative: ask float32 solves of the second form for tolerances above
 * that.
 *
 * @param tolerance     stop an example when ‖b − M x‖ / ‖b‖ ≤ tolerance (0: always run the cap)
 * @param maxIterations iteration cap (MOL uses a fixed, warm-started ≈5)
 */
public record ConjugateGradient(double tolerance, int maxIterations) {

    public ConjugateGradient {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("CG tolerance must be >= 0, got " + tolerance);
        }
        if (maxIterations < 0) {
            throw new IllegalArgumentException("CG maxIterations must be >= 0, got " + maxIterations);
        }
    }

    /**
     * Solves M x = b for every example of the batch.
     *
     * @param m  the SPD operator, applied to a whole batch of b's shape; it must not modify its
     *           argument
     * @param b  right-hand sides {@code [B, ...]}, float32 or float64
     * @param x0 warm start of b's shape, or {@code null} for zero; it is not modified
     */
    public SolveResult solve(UnaryOperator<INDArray> m, INDArray b, INDArray x0) {
        try (SectionTimes.Scope ignored = SectionTimes.enter(SectionTimes.Section.CONJUGATE_GRADIENT)) {
            return run(m, b, x0);
        }
    }

    private SolveResult run(UnaryOperator<INDArray> m, INDArray b, INDArray x0) {
        long[] shape = b.shape();
        int batch = (int) shape[0];
        if (x0 != null && !Arrays.equals(x0.shape(), shape)) {
            throw new IllegalArgumentException("CG warm start has shape " + Arrays.toString(x0.shape())
                    + " but the right-hand side has shape " + Arrays.toString(shape));
        }
        int evaluations = 0;
        INDArray x = x0 == null ? Nd4j.zeros(b.dataType(), shape) : x0.castTo(b.dataType()).dup('c');
        INDArray r;
        if (x0 == null) {
            r = b.dup('c');
        } else {
            INDArray mx = m.apply(x);
            evaluations++;
            checkShape(mx, shape);
            r = b.sub(mx);
        }
        INDArray xr = Batch.rows(x);
        INDArray rr = Batch.rows(r);
        double[] bNorm = Batch.norm(Batch.rows(b));
        double[] rs = Batch.dot(rr, rr);
        double[] residual = new double[batch];
        boolean[] active = new boolean[batch];
        boolean[] converged = new boolean[batch];
        int[] iterations = new int[batch];
        for (int i = 0; i < batch; i++) {
            if (bNorm[i] == 0) {
                // M x = 0 has the unique solution 0 for SPD M, whatever the warm start said.
                xr.getRow(i).assign(0);
                rr.getRow(i).assign(0);
                rs[i] = 0;
                residual[i] = 0;
            } else {
                residual[i] = Math.sqrt(rs[i]) / bNorm[i];
            }
            converged[i] = residual[i] <= tolerance;
            active[i] = !converged[i];
        }
        double[] history = new double[maxIterations + 1];
        history[0] = Batch.max(residual);
        INDArray p = rr.dup('c');
        int k = 0;
        double[] alpha = new double[batch];
        double[] beta = new double[batch];
        while (k < maxIterations && anyActive(active)) {
            INDArray mp = Batch.rows(m.apply(p.reshape('c', shape)));
            evaluations++;
            k++;
            double[] pmp = Batch.dot(p, mp);
            for (int i = 0; i < batch; i++) {
                if (active[i] && !(pmp[i] > 0)) {
                    // ⟨p, Mp⟩ ≤ 0: M is not positive definite along p (or p vanished); stop this
                    // example where it is rather than divide by zero.
                    active[i] = false;
                }
                alpha[i] = active[i] ? rs[i] / pmp[i] : 0.0;
            }
            INDArray alphaColumn = Batch.column(alpha, b.dataType());
            xr.addi(p.mulColumnVector(alphaColumn));
            rr.subi(mp.mulColumnVector(alphaColumn));
            double[] rsNew = Batch.dot(rr, rr);
            for (int i = 0; i < batch; i++) {
                if (active[i]) {
                    iterations[i] = k;
                    residual[i] = Math.sqrt(rsNew[i]) / bNorm[i];
                    if (residual[i] <= tolerance) {
                        converged[i] = true;
                        active[i] = false;
                    }
                }
                beta[i] = active[i] ? rsNew[i] / rs[i] : 0.0;
                rs[i] = rsNew[i];
            }
            p.muliColumnVector(Batch.column(beta, b.dataType())).addi(rr);
            history[k] = Batch.max(residual);
        }
        boolean all = true;
        for (boolean c : converged) {
            all &= c;
        }
        return new SolveResult(x, k, Arrays.copyOf(history, k + 1), all, iterations, residual,
                evaluations);
    }

    /**
     * Solves M x = b for every example of the batch on host {@code double[]} vectors: the same
     * iteration, stopping test and result as {@link #solve(UnaryOperator, INDArray, INDArray)}, but
     * b and x₀ are loaded into M's working layout once, the loop itself allocates nothing and touches
     * no native array (M's product may), the updates of x, r and ⟨r, r⟩ run in one pass, and the
     * loop's arithmetic is in double whatever b's dtype (the solution is stored in b's dtype). A system that is
     * {@link SpdSystem#preconditioned preconditioned} gets preconditioned CG (z = P r,
     * α = ⟨r, z⟩ / ⟨p, M p⟩, β = ⟨r⁺, z⁺⟩ / ⟨r, z⟩, p ← z⁺ + β p) with the same stopping test on
     * ‖r‖ / ‖b‖.
     *
     * @param m  the SPD system, which also chooses the layout
     * @param b  right-hand sides {@code [B, ...]}
     * @param x0 warm start of b's shape, or {@code null} for zero; it is not modified
     */
    public SolveResult solve(SpdSystem m, INDArray b, INDArray x0) {
        try (SectionTimes.Scope ignored = SectionTimes.enter(SectionTimes.Section.CONJUGATE_GRADIENT)) {
            return run(m, b, x0);
        }
    }

    private SolveResult run(SpdSystem m, INDArray b, INDArray x0) {
        long[] shape = b.shape();
        int batch = (int) shape[0];
        if (x0 != null && !Arrays.equals(x0.shape(), shape)) {
            throw new IllegalArgumentException("CG warm start has shape " + Arrays.toString(x0.shape())
                    + " but the right-hand side has shape " + Arrays.toString(shape));
        }
        double[] bv = m.load(b);
        int total = bv.length;
        int n = total / batch;
        double[] x = x0 == null ? new double[total] : m.load(x0);
        double[] mp = new double[total];
        double[] r;
        int evaluations = 0;
        if (x0 == null) {
            r = bv.clone();
        } else {
            m.apply(x, mp);
            evaluations++;
            r = new double[total];
            for (int j = 0; j < total; j++) {
                r[j] = bv[j] - mp[j];
            }
        }
        boolean pre = m.preconditioned();
        double[] bNorm = new double[batch];
        double[] rs = new double[batch];
        double[] rz = new double[batch];
        double[] residual = new double[batch];
        boolean[] active = new boolean[batch];
        boolean[] converged = new boolean[batch];
        int[] iterations = new int[batch];
        for (int i = 0; i < batch; i++) {
            bNorm[i] = Math.sqrt(dot(bv, bv, i * n, n));
            if (bNorm[i] == 0) {
                // M x = 0 has the unique solution 0 for SPD M, whatever the warm start said.
                Arrays.fill(x, i * n, (i + 1) * n, 0.0);
                Arrays.fill(r, i * n, (i + 1) * n, 0.0);
                residual[i] = 0;
            } else {
                rs[i] = dot(r, r, i * n, n);
                residual[i] = Math.sqrt(rs[i]) / bNorm[i];
            }
            converged[i] = residual[i] <= tolerance;
            active[i] = !converged[i];
        }
        double[] history = new double[maxIterations + 1];
        history[0] = Batch.max(residual);
        double[] z = r;
        if (pre) {
            z = new double[total];
            m.precondition(r, z);
        }
        for (int i = 0; i < batch; i++) {
            rz[i] = pre ? dot(r, z, i * n, n) : rs[i];
        }
        double[] p = z.clone();
        int k = 0;
        while (k < maxIterations && anyActive(active)) {
            m.apply(p, mp);
            evaluations++;
            k++;
            for (int i = 0; i < batch; i++) {
                if (!active[i]) {
                    continue;
                }
                int o = i * n;
                double pmp = dot(p, mp, o, n);
                if (!(pmp > 0)) {
                    // ⟨p, Mp⟩ ≤ 0: M is not positive definite along p (or p vanished); stop this
                    // example where it is rather than divide by zero.
                    active[i] = false;
                    continue;
                }
                double alpha = rz[i] / pmp;
                double rsNew = 0;
                for (int j = o; j < o + n; j++) {
                    x[j] += alpha * p[j];
                    double rj = r[j] - alpha * mp[j];
                    r[j] = rj;
                    rsNew += rj * rj;
                }
                iterations[i] = k;
                residual[i] = Math.sqrt(rsNew) / bNorm[i];
                if (residual[i] <= tolerance) {
                    converged[i] = true;
                    active[i] = false;
                }
                rs[i] = rsNew;
            }
            if (pre && anyActive(active)) {
                m.precondition(r, z);
            }
            for (int i = 0; i < batch; i++) {
                if (active[i]) {
                    int o = i * n;
                    double rzNew = pre ? dot(r, z, o, n) : rs[i];
                    double beta = rzNew / rz[i];
                    for (int j = o; j < o + n; j++) {
                        p[j] = z[j] + beta * p[j];
                    }
                    rz[i] = rzNew;
                }
            }
            history[k] = Batch.max(residual);
        }
        boolean all = true;
        for (boolean c : converged) {
            all &= c;
        }
        return new SolveResult(m.store(x, b.dataType()), k, Arrays.copyOf(history, k + 1), all, iterations,
                residual, evaluations);
    }

    private static double dot(double[] a, double[] b, int offset, int n) {
        double s = 0;
        for (int j = offset; j < offset + n; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    private static boolean anyActive(boolean[] active) {
        for (boolean a : active) {
            if (a) {
                return true;
            }
        }
        return false;
    }

    private static void checkShape(INDArray a, long[] shape) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("CG operator returned shape " + Arrays.toString(a.shape())
                    + " for an input of shape " + Arrays.toString(shape));
        }
    }
}
