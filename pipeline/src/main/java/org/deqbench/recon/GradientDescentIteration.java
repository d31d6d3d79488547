package org.deqbench.recon;

import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One step of DEQ-GD, gradient descent with a learned regularizing gradient (Willingham, Sjöström,
 * Guillemot, "Training Methods for Regularizing Gradients on Multi-Task Image Restoration
 * Problems", VISAPP 2024):
 * <pre>
 *   T(x) = x − η (A^H(A x − b) + g_θ(x)),     g_θ(x) = (x − N_θ(x)) / λ
 * </pre>
 * with N_θ a CNN ({@link ConvNet}) and λ &gt; 0 a learned data weight. The regularizing gradient
 * g_θ is written as a residual scaled by 1/λ so that (i) its fixed-point equation
 * λ A^H(A x − b) + x − N_θ(x) = 0 is MOL's with H = N (the same meaning of λ as in the
 * {@code deq} section of the MOL methods), and (ii) at initialisation, where N_θ ≈ 0, g_θ ≈ x/λ
 * makes T a contraction also on the null space of A (inpainting, super-resolution), whose
 * fixed point is the Tikhonov solution (A^H A + I/λ)^{-1} A^H b. The step η is the spec's
 * {@code deq.alpha}. Linearised at N ≡ 0, T is contractive iff 0 &lt; η(‖A‖² + 1/λ) &lt; 2, with
 * rate max(|1 − η/λ|, |1 − η(‖A‖² + 1/λ)|).
 *
 * <p>Derivatives at a point x (the implicit backward pass, the attacks, RERG's regulariser and the
 * Lipschitz estimate of the error bound):
 * <pre>
 *   J_T(x) t    = t − η (A^H A t + (t − J_N(x) t) / λ)
 *   J_T(x)^T u  = u − η (A^H A u + (u − J_N(x)^T u) / λ)
 *   (∂T/∂θ)^T u = (η/λ) J_{N,θ}(x)^T u
 *   (∂T/∂λ)^T u = η ⟨u, x − N_θ(x)⟩ / λ²
 *   (∂T/∂b)^T u = η A u
 * </pre>
 *
 * @param network N_θ
 * @param eta     step η
 * @param lambda  λ
 */
public record GradientDescentIteration(ConvNet network, double eta, double lambda) {

    /** The measurements and operator of one batch, with A^H b computed once. */
    public record Data(LinearOperator operator, INDArray measurements, INDArray adjointMeasurements) {
        public static Data of(LinearOperator op, INDArray b) {
            return new Data(op, b, op.adjoint(b));
        }
    }

    public GradientDescentIteration {
        if (!(eta > 0 && eta < 2)) {
            throw new IllegalArgumentException("deq.alpha (DEQ-GD's step η): expected a step in (0, 2), found " + eta);
        }
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("DEQ-GD data weight λ must be finite and > 0, found " + lambda);
        }
    }

    /** The regularizing gradient g_θ(x) = (x − N_θ(x)) / λ. */
    public INDArray regularizingGradient(INDArray x) {
        return x.sub(network.forward(x)).divi(lambda);
    }

    /** The descent direction A^H(A x − b) + g_θ(x), so that T(x) = x − η·direction. */
    public INDArray direction(Data d, INDArray x) {
        return d.operator().normal(x).subi(d.adjointMeasurements()).addi(regularizingGradient(x));
    }

    /** T(x). */
    public INDArray apply(Data d, INDArray x) {
        return x.sub(direction(d, x).muli(eta));
    }

    /** T(x) − x = −η (A^H(A x − b) + g_θ(x)): the numerator of the error bound at x. */
    public INDArray residual(Data d, INDArray x) {
        return direction(d, x).muli(-eta);
    }

    /** J_T(x) t. */
    public INDArray jacobian(Data d, INDArray x, INDArray t) {
        INDArray jn = network.jvp(x, t);
        INDArray reg = t.sub(jn).divi(lambda);
        return t.sub(d.operator().normal(t).addi(reg).muli(eta));
    }

    /** J_T(x)^T u. */
    public INDArray transposeJacobian(Data d, INDArray x, INDArray u) {
        INDArray jn = network.vjp(x, u).input();
        INDArray reg = u.sub(jn).divi(lambda);
        return u.sub(d.operator().normal(u).addi(reg).muli(eta));
    }

    /** (∂T/∂θ)^T u, (∂T/∂λ)^T u and (∂T/∂b)^T u at x. */
    public Cotangents cotangents(Data d, INDArray x, INDArray u) {
        ConvNet.Vjp vjp = network.vjp(x, u.mul(eta / lambda));
        INDArray reg = x.sub(vjp.output());
        double dLambda = eta * inner(u, reg) / (lambda * lambda);
        INDArray db = d.operator().apply(u).muli(eta);
        return new Cotangents(vjp.parameters(), dLambda, db);
    }

    static double inner(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }

    /**
     * Cotangents of the iteration map's inputs.
     *
     * @param parameters   by network parameter name
     * @param lambda       scalar ∂/∂λ
     * @param measurements same shape as b
     */
    public record Cotangents(Map<String, INDArray> parameters, double lambda, INDArray measurements) {
    }
}
