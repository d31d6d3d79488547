package org.deqbench.recon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.SolveResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MoDL (Aggarwal, Mani, Jacob, "MoDL: model-based deep learning architecture for inverse problems",
 * IEEE TMI 2019): K unrolled iterations with one shared CNN N_w and a learned weight λ,
 * <pre>
 *   x₀ = A^H b
 *   x_{k+1} = (A^H A + λI)^{-1} r_k,   r_k = A^H b + λ D_w(x_k),   D_w(x) = x − N_w(x),   k = 0 … K−1
 * </pre>
 * on any {@link LinearOperator} (the task's own operator: FFTs for MRI, convolutions for blur …).
 * The data-consistency inverse runs outside the network graph, by conjugate gradients to a relative
 * residual of 1e-5 (float32; 1e-10 in float64) capped at {@code cgIterations} steps, preconditioned
 * with the operator's exact inverse where it has one ({@link DataConsistency}: column-sampled MRI,
 * where one or two steps then meet the tolerance), warm-started
 * at the current iterate x_k (the solution moves little from one iteration to the next; the
 * start changes only the cost, not the solution the tolerance asks for). The backward solves are
 * warm-started at the previous iteration's w.
 *
 * <p><b>Exact data-consistency gradient.</b> x = (A^H A + λI)^{-1} r is linear in r with a symmetric
 * matrix, so for a cotangent g = ∂ℓ/∂x_{k+1} its vector-Jacobian product is one more CG solve,
 * w = (A^H A + λI)^{-1} g, and differentiating (A^H A + λI) x = r in λ gives ∂x/∂λ = (A^H A + λI)^{-1}(D(x_k) − x_{k+1}).
 * The backward sweep, k = K−1 … 0:
 * <pre>
 *   w_k   = (A^H A + λI)^{-1} g_{k+1}                        (CG on the cotangent)
 *   ∂ℓ/∂λ  += ⟨w_k, D_w(x_k) − x_{k+1}⟩
 *   ∂ℓ/∂w  −= λ J_{N,w}(x_k)^T w_k
 *   ∂ℓ/∂(A^H b) += w_k
 *   g_k   = λ (w_k − J_{N,x}(x_k)^T w_k)
 * </pre>
 * and finally ∂ℓ/∂(A^H b) += g₀ (x₀ = A^H b), ∂ℓ/∂b = A ∂ℓ/∂(A^H b). The CNN's vector-Jacobian
 * products at x_k are taken in the backward sweep ({@link ConvNet#vjp}, which re-runs N_w(x_k)): only
 * the K + 1 iterates are kept between the sweeps, never the network's activations or CG's
 * intermediates. This is the gradient of the exact inverse; it equals backpropagation through CG when
 * CG has converged, which the tolerance ensures up to the solve's residual. What is kept per unrolled
 * iteration between the sweeps is one image; time per iteration is one network forward pass more
 * than storing the activations would cost.
 *
 * <p>Computation runs in the network's dtype; inputs of another dtype are cast and results cast
 * back. λ = exp(log λ) keeps the weight positive.
 */
public final class Modl implements Reconstructor.Differentiable {
    /** Relative CG residual of the data-consistency solves, by dtype (float32 stalls near 1e-6). */
    static double cgTolerance(DataType t) {
        return t == DataType.DOUBLE ? 1e-10 : 1e-5;
    }

    /** Cap on CG steps of the backward solves, on top of the forward cap (the cotangent is rougher). */
    private static final int BACKWARD_CG_FACTOR = 3;

    private final ConvNet network;
    private final INDArray logLambda;
    private final int iterations;
    private final int cgIterations;

    /**
     * @param logLambda    scalar array (live: the trainer updates it in place)
     * @param iterations   unrolled iterations K
     * @param cgIterations cap on CG steps per data-consistency solve
     */
    public Modl(ConvNet network, INDArray logLambda, int iterations, int cgIterations) {
        if (iterations < 1 || cgIterations < 1) {
            throw new IllegalArgumentException("modl needs iterations ≥ 1 and cg_iterations ≥ 1, found "
                    + iterations + ", " + cgIterations);
        }
        this.network = network;
        this.logLambda = logLambda;
        this.iterations = iterations;
        this.cgIterations = cgIterations;
    }

    public ConvNet network() {
        return network;
    }

    public double lambda() {
        return Math.exp(logLambda.getDouble(0));
    }

    public INDArray logLambda() {
        return logLambda;
    }

    public int iterations() {
        return iterations;
    }

    public int cgIterations() {
        return cgIterations;
    }

    /**
     * The forward sweep: A^H b and the iterates x₀ … x_K, with the largest CG residual met.
     */
    public record Forward(LinearOperator operator, INDArray adjointMeasurements, List<INDArray> iterates,
                          double cgResidual) {
        public INDArray x() {
            return iterates.get(iterates.size() - 1);
        }
    }

    /**
     * Gradients of ℓ from the backward sweep.
     *
     * @param parameters   ∂ℓ/∂w keyed like {@link ConvNet#parameters()}
     * @param lambda       ∂ℓ/∂λ
     * @param measurements ∂ℓ/∂b
     */
    public record Gradients(Map<String, INDArray> parameters, double lambda, INDArray measurements) {
    }

    private DataType dtype() {
        return network.dataType();
    }

    /** (A^H A + λI)^{-1} rhs by CG from {@code warm} (null: zero). */
    private SolveResult dataConsistency(LinearOperator op, double lambda, INDArray rhs, INDArray warm, int cap) {
        return new DataConsistency(op, lambda, 1.0, true).solve(new ConjugateGradient(cgTolerance(dtype()), cap), rhs, warm);
    }

    /** Runs the K iterations on measurements {@code b} [B, range...]. */
    public Forward forward(INDArray measurements, LinearOperator op) {
        double lambda = lambda();
        INDArray ahb = op.adjoint(measurements.castTo(dtype()));
        List<INDArray> xs = new ArrayList<>(iterations + 1);
        xs.add(ahb);
        double residual = 0;
        INDArray x = ahb;
        for (int k = 0; k < iterations; k++) {
            INDArray rhs = x.sub(network.forward(x)).muli(lambda).addi(ahb);
            SolveResult s = dataConsistency(op, lambda, rhs, x, cgIterations);
            residual = Math.max(residual, s.finalResidual());
            x = s.x();
            xs.add(x);
        }
        return new Forward(op, ahb, List.copyOf(xs), residual);
    }

    /** The backward sweep for the cotangent {@code g} = ∂ℓ/∂x_K (see the class comment). */
    public Gradients backward(Forward f, INDArray g) {
        double lambda = lambda();
        LinearOperator op = f.operator();
        INDArray cot = g.castTo(dtype());
        INDArray gAhb = f.adjointMeasurements().ulike().assign(0);
        Map<String, INDArray> gParams = new LinkedHashMap<>();
        double gLambda = 0;
        INDArray w = null;
        for (int k = iterations - 1; k >= 0; k--) {
            INDArray xk = f.iterates().get(k);
            w = dataConsistency(op, lambda, cot, w, BACKWARD_CG_FACTOR * cgIterations).x();
            ConvNet.Vjp vjp = network.vjp(xk, w);
            INDArray denoised = xk.sub(vjp.output());
            gLambda += inner(w, denoised.subi(f.iterates().get(k + 1)));
            for (Map.Entry<String, INDArray> e : vjp.parameters().entrySet()) {
                INDArray contribution = e.getValue().mul(-lambda);
                gParams.merge(e.getKey(), contribution, INDArray::addi);
            }
            gAhb.addi(w);
            cot = w.sub(vjp.input()).muli(lambda);
        }
        gAhb.addi(cot);
        return new Gradients(gParams, gLambda, op.apply(gAhb));
    }

    private static double inner(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }

    @Override
    public INDArray reconstruct(INDArray measurements, LinearOperator op) {
        return forward(measurements, op).x().castTo(measurements.dataType());
    }

    @Override
    public INDArray measurementVjp(INDArray measurements, LinearOperator op, INDArray v) {
        return backward(forward(measurements, op), v).measurements().castTo(measurements.dataType());
    }

    /** A fresh log λ array of the given dtype. */
    public static INDArray logLambdaOf(double lambda, DataType dtype) {
        return org.nd4j.linalg.factory.Nd4j.scalar(dtype, Math.log(lambda));
    }
}
