package org.deqbench.solve;

import java.util.function.UnaryOperator;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The largest singular value σ₁ of a linear map M by restarted Lanczos iteration on its Gram
 * operator G = M^T M (Lanczos 1950; Golub &amp; Van Loan, Matrix Computations, §10.1): the Krylov
 * refinement of {@link PowerIteration}, for operators whose top singular values lie close together
 * — convolutions, where power iteration's estimate approaches σ₁ only about like 1/k.
 *
 * <pre>
 *   q₀ = v / ‖v‖;  for j &lt; steps:  w = G q_j − α_j q_j − β_{j−1} q_{j−1},  α_j = ⟨q_j, G q_j⟩,
 *                  w ⊥ q₀ … q_j (full re-orthogonalisation),  β_j = ‖w‖,  q_{j+1} = w / β_j
 *   T = tridiag(β, α, β);  θ, y = top eigenpair of T;  v ← Σ y_j q_j;  restart from v
 *   residual = ‖G v − θ v‖ / θ = β_last·|y_last| / θ;  stop when ≤ tolerance
 * </pre>
 * θ never exceeds σ₁² (Cauchy interlacing), so √θ is a lower estimate, as for power iteration, but
 * for the same number of applications of G it is far closer. The residual bounds the distance
 * from θ to some eigenvalue of G (not necessarily the top one). Memory: {@code steps} vectors of the
 *  domain's size (kept in float64).
 *
 * @param steps     Krylov dimension per restart (≥ 1; 1 is power iteration with a Rayleigh quotient)
 * @param maxApplications cap on applications of G in total
 * @param tolerance stop when the relative eigen-residual is at most this
 */
public record Lanczos(int steps, int maxApplications, double tolerance) {

    public Lanczos {
        if (steps < 1 || maxApplications < 1 || !(tolerance >= 0)) {
            throw new IllegalArgumentException("Lanczos needs steps >= 1, maxApplications >= 1, tolerance >= 0; got "
                    + steps + ", " + maxApplications + ", " + tolerance);
        }
    }

    /**
     * σ₁ of M from its Gram operator, starting from {@code start} (not modified). The result's
     * {@code iterations} counts applications of G; {@code residual} is the relative eigen-residual.
     */
    public PowerIteration.Result largestSingularValue(UnaryOperator<INDArray> gram, INDArray start) {
        double n0 = start.norm2Number().doubleValue();
        if (!(n0 > 0) || Double.isInfinite(n0)) {
            throw new IllegalArgumentException("Lanczos start vector must have a finite non-zero norm, got " + n0);
        }
        long[] shape = start.shape();
        DataType dtype = start.dataType();
        long n = start.length();
        // The Krylov basis as the rows of one float64 matrix: Gram–Schmidt against all of them is
        // then two matrix–vector products per pass (instead of 2·steps vector operations with
        // their temporaries), and the basis keeps double precision whatever the operator's dtype.
        INDArray basis = Nd4j.create(DataType.DOUBLE, steps + 1, n);
        INDArray projection = Nd4j.create(DataType.DOUBLE, n, 1);
        INDArray projectionRow = projection.reshape(1, n);
        INDArray v = start.castTo(DataType.DOUBLE).reshape(1, n).divi(n0);
        int applications = 0;
        double theta = 0;
        double residual = Double.POSITIVE_INFINITY;
        while (applications < maxApplications) {
            int m = Math.min(steps, maxApplications - applications);
            double[] alpha = new double[m];
            double[] beta = new double[m];
            basis.getRow(0).assign(v);
            int size = 0;
            double lastBeta = 0;
            for (int j = 0; j < m; j++) {
                INDArray qj = basis.getRow(j).reshape(1, n);
                INDArray in = qj.reshape(shape).castTo(dtype);
                INDArray out = gram.apply(in);
                INDArray outDouble = out.castTo(DataType.DOUBLE);
                INDArray w = outDouble.reshape(1, n).dup();
                release(in);
                release(out);
                if (outDouble != out) {
                    release(outDouble);
                }
                applications++;
                alpha[j] = dot(qj, w);
                size = j + 1;
                INDArray q = basis.get(NDArrayIndex.interval(0, j + 1), NDArrayIndex.all());
                // Two passes of Gram–Schmidt against every basis vector ("twice is enough").
                for (int pass = 0; pass < 2; pass++) {
                    INDArray c = q.mmul(w.transpose());      // [j+1, 1]
                    // q^T c into a buffer reused across iterations: c^T.mmul(q) leaves a native
                    // temporary of n doubles per call to the garbage collector (measured: ~2 MB
                    // of resident memory per call that the allocator keeps after collection)
                    Nd4j.gemm(q, c, projection, true, false, 1.0, 0.0);
                    w.subi(projectionRow);
                    release(c);
                }
                lastBeta = w.norm2Number().doubleValue();
                if (lastBeta <= 1e-14 * Math.abs(alpha[j]) || j == m - 1) {
                    release(w);
                    break;
                }
                beta[j] = lastBeta;
                basis.getRow(j + 1).assign(w.divi(lastBeta));
                release(w);
            }
            double[] main = new double[size];
            double[] off = new double[Math.max(size - 1, 0)];
            System.arraycopy(alpha, 0, main, 0, size);
            System.arraycopy(beta, 0, off, 0, off.length);
            double[] y;
            if (size == 1) {
                theta = main[0];
                y = new double[] {1.0};
            } else {
                EigenDecomposition eig = new EigenDecomposition(main, off);
                double[] values = eig.getRealEigenvalues();
                int top = 0;
                for (int i = 1; i < values.length; i++) {
                    if (values[i] > values[top]) {
                        top = i;
                    }
                }
                theta = values[top];
                y = eig.getEigenvector(top).toArray();
            }
            INDArray coefficients = Nd4j.createFromArray(y).reshape(1, size);
            INDArray next = coefficients.mmul(basis.get(NDArrayIndex.interval(0, size), NDArrayIndex.all()));
            v = next.divi(next.norm2Number());
            residual = theta > 0 ? lastBeta * Math.abs(y[size - 1]) / theta : 0.0;
            if (residual <= tolerance) {
                break;
            }
        }
        double sigma = Math.sqrt(Math.max(theta, 0.0));
        INDArray vector = v.reshape(shape).castTo(dtype);
        release(basis);
        release(projection);
        return new PowerIteration.Result(sigma, applications, residual, vector, residual <= tolerance);
    }

    /** ⟨a, b⟩ of two float64 row vectors. */
    private static double dot(INDArray a, INDArray b) {
        INDArray p = a.mul(b);
        double d = p.sumNumber().doubleValue();
        release(p);
        return d;
    }

    /**
     * Frees a temporary's native buffer now. ND4J frees buffers only when the garbage collector
     * finds their Java objects, and this loop makes almost no heap garbage: without this the
     * temporaries of one call piled up to several GB of resident memory for 32-channel
     * convolutions on 64×64 images before any collection ran.
     */
    private static void release(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
