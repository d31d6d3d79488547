package org.deqbench.recon;

import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Regularisation by denoising (Romano, Elad, Milanfar, "The little engine that could:
 * regularization by denoising (RED)", SIAM J. Imaging Sci. 2017) with a learned Gaussian denoiser
 * D_σ(x) = x − N(x): gradient descent on
 * <pre>
 *   E(x) = ½‖A x − b‖² + (λ/2) xᵀ(x − D(x))
 *   x₀ = A^H b,   x_{k+1} = x_k − γ (A^H(A x_k − b) + λ (x_k − D(x_k))),   γ = 1/(‖A‖² + 2λ)
 * </pre>
 * run per example until ‖x_{k+1} − x_k‖ / ‖x_{k+1}‖ ≤ {@code deq.tolerance} or
 * {@code deq.max_iterations} steps; λ is chosen by grid search on the training split (as TV's).
 *
 * <p><b>Assumptions, and what holds without them.</b> ∇[(λ/2) xᵀ(x − D(x))] = λ(x − D(x)) only if
 * D is locally homogeneous (D(cx) = cD(x) for c near 1) and has a symmetric Jacobian (Romano et
 * al., Thm. 3.1; Reehorst and Schniter, IEEE TCI 2019 show that common denoisers, CNNs included,
 * violate the symmetry). An unconstrained CNN satisfies neither, so E need not exist as the
 * objective whose gradient this iteration follows: the method is then the fixed-point iteration
 * of the "RED gradient" A^H(Ax − b) + λ(x − D(x)) = 0, with no descent guarantee. The step
 * 1/(‖A‖² + 2λ) is 1/L for L = ‖A‖² + λ(1 + Lip(D)) when D is nonexpansive (Lip(D) ≤ 1), which a
 * CNN is not proven to be. Whether each image met the tolerance is reported, not assumed.
 * ‖A‖ as in {@link PlugAndPlay}.
 *
 * <p><b>Measurement VJP</b>: exact for the iterations run ({@link DenoiserIterations}):
 * J_T(x)^T c = c − γ(A^H A c + λ J_N(x)^T c) (x − D(x) = N(x)) and the A^H b cotangent γc.
 */
public final class RegularizationByDenoising extends DenoiserPrior {
    private final double lambda;

    /**
     * @param denoiser N of D(x) = x − N(x)
     * @param lambda   weight λ &gt; 0 of the RED term
     */
    public RegularizationByDenoising(ConvNet denoiser, double lambda, int maxIterations, double tolerance) {
        super(denoiser, maxIterations, tolerance);
        if (!(lambda > 0) || Double.isInfinite(lambda) || maxIterations < 1 || !(tolerance > 0)) {
            throw new IllegalArgumentException("red needs λ > 0, deq.max_iterations ≥ 1 and deq.tolerance > 0, found "
                    + lambda + ", " + maxIterations + ", " + tolerance);
        }
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    /** The step for one batch: γ = 1/(‖A‖² + 2λ). */
    @Override
    DenoiserIterations.Step step(LinearOperator op, long batch) {
        double gamma = 1.0 / (DenoiserIterations.squaredNorm(op, batch, denoiser.dataType()) + 2 * lambda);
        return new DenoiserIterations.Step() {
            @Override
            public INDArray apply(LinearOperator o, INDArray ahb, INDArray x) {
                INDArray grad = o.normal(x).subi(ahb).addi(denoiser.forward(x).muli(lambda));
                return x.sub(grad.muli(gamma));
            }

            @Override
            public INDArray[] vjp(LinearOperator o, INDArray ahb, INDArray x, INDArray c) {
                INDArray jn = denoiser.vjp(x, c).input();
                INDArray jt = c.sub(o.normal(c).addi(jn.muli(lambda)).muli(gamma));
                return new INDArray[] {jt, c.mul(gamma)};
            }
        };
    }
}
