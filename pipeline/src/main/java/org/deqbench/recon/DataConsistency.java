package org.deqbench.recon;

import org.deqbench.physics.HostNormal;
import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.SolveResult;
import org.deqbench.solve.SpdSystem;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The data-consistency matrix M = μ I + ν A^H A (μ, ν > 0) of the model-based methods — MoDL's
 * (A^H A + λI), MOL's (I + αλ A^H A), CG-SENSE's (A^H A + λI) — solved by conjugate gradients on
 * the operator's {@link LinearOperator#hostNormal host form}: vectors stay in the operator's
 * working layout for the whole solve and M v = μ v + ν A^H A v is formed in one pass. The vectors
 * are double; A^H A may run at the right-hand side's precision where the operator has a faster
 * form for it ({@link HostNormal#inPrecision}: 2D MRI's row gemms in float32 for float32 solves).
 *
 * <p>Asked to be {@code preconditioned}, CG uses the operator's exact inverse of M where it has one
 * ({@link HostNormal#inverse}: 2D and 2D+time MRI with column-sampled masks, by per-row Cholesky
 * factors), and then meets its tolerance in one or two steps instead of running into its cap. That
 * suits solves meant to be exact (MoDL's data consistency and its gradient), not methods defined
 * by a fixed number of plain CG steps (MOL's five warm-started steps).
 *
 * @param operator       A
 * @param identityWeight μ
 * @param normalWeight   ν
 * @param preconditioned precondition CG with the operator's exact inverse of M where it has one
 */
public record DataConsistency(LinearOperator operator, double identityWeight, double normalWeight,
                              boolean preconditioned) {
    /** Plain (unpreconditioned) CG on μ I + ν A^H A. */
    public DataConsistency(LinearOperator operator, double identityWeight, double normalWeight) {
        this(operator, identityWeight, normalWeight, false);
    }

    public DataConsistency {
        if (!(identityWeight > 0) || !(normalWeight > 0)) {
            throw new IllegalArgumentException("data consistency μ I + ν A^H A needs μ > 0 and ν > 0, found μ = "
                    + identityWeight + ", ν = " + normalWeight);
        }
    }

    /** M^{-1} rhs by {@code cg} from {@code warm} (null: zero), in rhs's dtype. */
    public SolveResult solve(ConjugateGradient cg, INDArray rhs, INDArray warm) {
        return cg.solve(new Matrix(operator.hostNormal().inPrecision(rhs.dataType())), rhs, warm);
    }

    /** M v for one batch, through the same host form (for tests and residual checks). */
    public INDArray apply(INDArray v) {
        Matrix s = new Matrix(operator.hostNormal().inPrecision(v.dataType()));
        double[] in = s.load(v);
        double[] out = new double[in.length];
        s.apply(in, out);
        return s.store(out, v.dataType());
    }

    private final class Matrix implements SpdSystem {
        private final HostNormal normal;
        private final HostNormal.Inverse inverse;

        Matrix(HostNormal normal) {
            this.normal = normal;
            this.inverse = preconditioned ? normal.inverse(identityWeight, normalWeight) : null;
        }

        @Override
        public boolean preconditioned() {
            return inverse != null;
        }

        @Override
        public void precondition(double[] r, double[] z) {
            inverse.apply(r, z);
        }

        @Override
        public double[] load(INDArray x) {
            return normal.load(x);
        }

        @Override
        public INDArray store(double[] v, DataType type) {
            return normal.store(v, type);
        }

        @Override
        public void apply(double[] in, double[] out) {
            normal.normal(in, out);
            double mu = identityWeight;
            double nu = normalWeight;
            for (int j = 0; j < in.length; j++) {
                out[j] = mu * in[j] + nu * out[j];
            }
        }
    }
}
