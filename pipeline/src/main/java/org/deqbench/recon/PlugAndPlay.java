package org.deqbench.recon;

import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plug-and-play proximal gradient (Venkatakrishnan, Bouman, Wohlberg, GlobalSIP 2013; the
 * proximal-gradient form of Kamilov et al., IEEE SPL 2017) with a learned Gaussian denoiser
 * D_σ(x) = x − N(x) in place of the proximal operator of a regulariser:
 * <pre>
 *   x₀ = A^H b,   z_k = x_k − γ A^H(A x_k − b),   x_{k+1} = D_σ(z_k),   γ = 1/‖A‖²
 * </pre>
 * run per example until ‖x_{k+1} − x_k‖ / ‖x_{k+1}‖ ≤ {@code deq.tolerance} or
 * {@code deq.max_iterations} steps. ‖A‖ is the operator's proven norm bound when it has one, else a
 * power-iteration estimate raised by 1 % (so γ ≤ 1/‖A‖² holds up to the estimate's accuracy); with
 * this γ the data step x − γ∇f is nonexpansive (its eigenvalues are 1 − γs² ∈ [0, 1]).
 *
 * <p><b>Guarantees.</b> If D were averaged (or firmly nonexpansive), the iteration would converge
 * to a fixed point (Krasnosel'skii–Mann; Sun, Wohlberg, Kamilov, IEEE TCI 2019); an unconstrained
 * CNN denoiser is not known to be, so nothing guarantees convergence or uniqueness here: whether
 * each test image met the tolerance is reported ({@code converged}), not assumed. The fixed point,
 * when reached, is not the minimiser of any stated objective.
 *
 * <p><b>Measurement VJP</b>: exact for the iterations actually run ({@link DenoiserIterations}):
 * J_T(x)^T c = (I − γA^H A) J_D(z)^T c with J_D^T c = c − J_N(z)^T c, and the A^H b cotangent γ J_D(z)^T c.
 */
public final class PlugAndPlay extends DenoiserPrior {

    /**
     * @param denoiser N of D(x) = x − N(x)
     */
    public PlugAndPlay(ConvNet denoiser, int maxIterations, double tolerance) {
        super(denoiser, maxIterations, tolerance);
        if (maxIterations < 1 || !(tolerance > 0)) {
            throw new IllegalArgumentException("pnp needs deq.max_iterations ≥ 1 and deq.tolerance > 0, found "
                    + maxIterations + ", " + tolerance);
        }
    }

    /** The step for one batch: γ = 1/‖A‖². */
    @Override
    DenoiserIterations.Step step(LinearOperator op, long batch) {
        double gamma = 1.0 / DenoiserIterations.squaredNorm(op, batch, denoiser.dataType());
        return new DenoiserIterations.Step() {
            @Override
            public INDArray apply(LinearOperator o, INDArray ahb, INDArray x) {
                INDArray z = dataStep(o, ahb, x, gamma);
                return z.sub(denoiser.forward(z));
            }

            @Override
            public INDArray[] vjp(LinearOperator o, INDArray ahb, INDArray x, INDArray c) {
                INDArray z = dataStep(o, ahb, x, gamma);
                INDArray w = c.sub(denoiser.vjp(z, c).input());
                return new INDArray[] {w.sub(o.normal(w).muli(gamma)), w.mul(gamma)};
            }
        };
    }

    /** z = x − γ(A^H A x − A^H b). */
    private static INDArray dataStep(LinearOperator op, INDArray ahb, INDArray x, double gamma) {
        return x.sub(op.normal(x).subi(ahb).muli(gamma));
    }
}
