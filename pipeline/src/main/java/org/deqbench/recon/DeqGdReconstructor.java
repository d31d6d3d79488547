package org.deqbench.recon;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.PowerIteration;
import org.deqbench.solve.SolveResult;
import org.deqbench.spec.DeqSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DEQ-GD and RERG's reconstruction (Willingham, Sjöström, Guillemot, VISAPP 2024): the fixed point
 * of gradient descent with a learned regularizing gradient, {@link GradientDescentIteration}, with
 * η = {@code deq.alpha} and λ the learned data weight.
 *
 * <p><b>Forward.</b> x₀ = (A^H A + I/λ)^{-1} A^H b by {@code initCgIterations} CG steps (the fixed
 * point when N_θ ≡ 0); then x* = T(x*) by plain iteration or Anderson acceleration
 * ({@code deq.solver}) up to {@code deq.max_iterations} applications of T, each example stopping at
 * relative change {@code deq.tolerance}. A solve that hits the cap is returned with
 * {@code converged = false}.
 *
 * <p><b>Backward</b> (implicit differentiation at the fixed point, Bai, Kolter, Koltun 2019): for
 * g = ∂ℓ/∂x* , u = g + J_T(x*)^T u by the same solver (or u = g with {@code deq.backward:
 * jacobian-free}, Fung et al. 2022); then ∂ℓ/∂θ = (η/λ) J_{N,θ}^T u, ∂ℓ/∂λ = η⟨u, x* − N(x*)⟩/λ²
 * and ∂ℓ/∂b = η A u — T depends on b only through η A^H b — which is the measurement
 * vector-Jacobian product (∂x* / ∂b)^T v for attacks.
 *
 * <p>Computation runs in the network's dtype; inputs of another dtype are cast and results cast
 * back.
 */
public final class DeqGdReconstructor implements Reconstructor.Differentiable {
    /** Power iterations on J_T^T J_T for the local Lipschitz estimate of the error bound. */
    static final PowerIteration LOCAL_LIPSCHITZ = new PowerIteration(50, 1e-4, 29);

    private final GradientDescentIteration iteration;
    private final DeqSolvers solvers;
    private final int initCgIterations;

    /**
     * @param initCgIterations CG steps for the start x₀
     */
    public DeqGdReconstructor(ConvNet network, double lambda, DeqSpec deq, int initCgIterations) {
        LinearSubgraphSession.install();
        this.iteration = new GradientDescentIteration(network, deq.alpha(), lambda);
        this.solvers = new DeqSolvers(deq);
        this.initCgIterations = initCgIterations;
    }

    public GradientDescentIteration iteration() {
        return iteration;
    }

    public ConvNet network() {
        return iteration.network();
    }

    public double lambda() {
        return iteration.lambda();
    }

    /** x* and how the solve went. */
    public record Forward(GradientDescentIteration.Data data, SolveResult solve) {
        public INDArray x() {
            return solve.x();
        }
    }

    /** The backward solve and the cotangents it produced. */
    public record Backward(SolveResult solve, GradientDescentIteration.Cotangents cotangents) {
    }

    private DataType dtype() {
        return iteration.network().dataType();
    }

    /** The batch's data in the network's dtype. */
    public GradientDescentIteration.Data data(INDArray measurements, LinearOperator op) {
        return GradientDescentIteration.Data.of(op, measurements.castTo(dtype()));
    }

    /** (A^H A + I/λ)^{-1} A^H b: the fixed point when N_θ ≡ 0. */
    public INDArray initial(GradientDescentIteration.Data d) {
        return DeqSolvers.tikhonovStart(d.operator(), d.adjointMeasurements(), 1.0 / iteration.lambda(),
                DeqSolvers.cgTolerance(dtype()), initCgIterations);
    }

    /** Solves x* = T(x*) from {@code x0} (null: the Tikhonov start). */
    public Forward forward(INDArray measurements, LinearOperator op, INDArray x0) {
        GradientDescentIteration.Data d = data(measurements, op);
        INDArray start = x0 == null ? initial(d) : x0.castTo(dtype());
        return new Forward(d, solvers.forward().solve(x -> iteration.apply(d, x), start));
    }

    /** The implicit (or Jacobian-free) backward pass for cotangent {@code g} = ∂ℓ/∂x* . */
    public Backward backward(Forward f, INDArray g) {
        INDArray x = f.x();
        SolveResult u = solvers.backward().solve(v -> iteration.transposeJacobian(f.data(), x, v), g.castTo(dtype()));
        return new Backward(u, iteration.cotangents(f.data(), x, u.x()));
    }

    /**
     * The error bound of {@link FixedPointErrorBound} for every example of a solved batch at the
     * reference points {@code reference} (e.g. the ground truth): ‖T(x̄) − x̄‖ / (1 − L̂_T), with
     * L̂_T the larger of ‖J_T(x*)‖₂ and ‖J_T(x̄)‖₂, each by power iteration on J_T^T J_T
     * ({@link #LOCAL_LIPSCHITZ}) over the whole batch — J_T is block diagonal, so that is the
     * largest over the batch's examples; solve one example per batch for per-example estimates.
     * A local estimate, not a certificate.
     */
    public FixedPointErrorBound[] errorBounds(Forward f, INDArray reference) {
        INDArray ref = reference.castTo(dtype());
        INDArray residual = iteration.residual(f.data(), ref);
        double l = Math.max(localLipschitz(f.data(), f.x()), localLipschitz(f.data(), ref));
        int n = (int) ref.size(0);
        FixedPointErrorBound[] out = new FixedPointErrorBound[n];
        for (int i = 0; i < n; i++) {
            out[i] = FixedPointErrorBound.of(residual.get(NDArrayIndex.point(i)).norm2Number().doubleValue(), l);
        }
        return out;
    }

    /**
     * The numerator of the error bound at reference points x̄ (the ground truth in training), as a
     * mean over entries, and its gradient — the training loss of bound-trained DEQ-GD and RERG's
     * regulariser:
     * <pre>
     *   ℓ(θ, λ) = ‖r‖² / n,   r = T(x̄) − x̄ = −η (A^H(A x̄ − b) + (x̄ − N_θ(x̄)) / λ),
     *   ∂ℓ/∂θ = (∂T/∂θ)^T (2r/n),   ∂ℓ/∂λ = (∂T/∂λ)^T (2r/n),
     * </pre>
     * since x̄ does not depend on θ or λ, ∂r = ∂T there ({@link GradientDescentIteration#cotangents};
     * its measurement cotangent is (∂ℓ/∂b)). No fixed-point solve is needed.
     */
    public ResidualLoss residualLoss(GradientDescentIteration.Data d, INDArray reference) {
        INDArray ref = reference.castTo(dtype());
        INDArray r = iteration.residual(d, ref);
        double n = r.length();
        double norm = r.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        return new ResidualLoss(norm * norm / n, iteration.cotangents(d, ref, r.mul(2.0 / n)));
    }

    /**
     * ‖T(x̄) − x̄‖² / n and its cotangents.
     *
     * @param value      the mean squared residual
     * @param cotangents ∂value/∂θ, ∂value/∂λ, ∂value/∂b
     */
    public record ResidualLoss(double value, GradientDescentIteration.Cotangents cotangents) {
    }

    /**
     * The direction along which T stretches most at x: the leading right singular vector of
     * J_T(x) (whole batch, J_T is block diagonal), by {@code iterations} steps of power iteration
     * on J_T^T J_T from a seeded start; unit norm.
     */
    public INDArray steepestDirection(GradientDescentIteration.Data d, INDArray x, int iterations, long seed) {
        INDArray xs = x.castTo(dtype());
        return new PowerIteration(iterations, 1e-3, seed).largestSingularValue(
                v -> iteration.transposeJacobian(d, xs, iteration.jacobian(d, xs, v)), xs.shape(), xs.dataType())
                .vector();
    }

    /**
     * A finite-difference estimate of T's Lipschitz constant near x̄ along a fixed unit direction δ
     * (the error bound's L_T in training), and its gradient with δ held fixed:
     * <pre>
     *   r(θ, λ) = ‖T(x̄ + sδ) − T(x̄)‖ / s,      s = {@code step},
     *   ∂r/∂θ = ((∂T/∂θ)(x̄ + sδ) − (∂T/∂θ)(x̄))^T c / s,   c = (T(x̄ + sδ) − T(x̄)) / ‖T(x̄ + sδ) − T(x̄)‖
     * </pre>
     * (the same for λ). Only first derivatives of N: the gradient of a Jacobian norm would need
     * the second derivatives SameDiff M2.1 lacks. With δ the steepest direction
     * ({@link #steepestDirection}) and small s, r approaches ‖J_T(x̄)‖₂ from below: an estimate.
     */
    public Contraction contraction(GradientDescentIteration.Data d, INDArray reference, INDArray direction, double step) {
        INDArray u = reference.castTo(dtype());
        INDArray v = u.add(direction.castTo(dtype()).mul(step));
        INDArray diff = iteration.apply(d, v).subi(iteration.apply(d, u));
        double norm = diff.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        INDArray c = diff.divi(Math.max(norm, 1e-30));
        GradientDescentIteration.Cotangents at = iteration.cotangents(d, v, c);
        GradientDescentIteration.Cotangents base = iteration.cotangents(d, u, c);
        Map<String, INDArray> g = new LinkedHashMap<>();
        at.parameters().forEach((k, p) -> g.put(k, p.sub(base.parameters().get(k)).divi(step)));
        return new Contraction(norm / step, g, (at.lambda() - base.lambda()) / step);
    }

    /**
     * The estimate r of {@link #contraction} and its gradient.
     *
     * @param value      r
     * @param parameters ∂r/∂θ by network parameter name
     * @param lambda     ∂r/∂λ
     */
    public record Contraction(double value, Map<String, INDArray> parameters, double lambda) {
    }

    /** max over the batch of ‖J_T(x_i)‖₂, by power iteration on J_T^T J_T. */
    public double localLipschitz(GradientDescentIteration.Data d, INDArray x) {
        return LOCAL_LIPSCHITZ.largestSingularValue(
                v -> iteration.transposeJacobian(d, x, iteration.jacobian(d, x, v)), x.shape(), x.dataType()).value();
    }

    @Override
    public INDArray reconstruct(INDArray measurements, LinearOperator op) {
        return forward(measurements, op, null).x().castTo(measurements.dataType());
    }

    @Override
    public INDArray measurementVjp(INDArray measurements, LinearOperator op, INDArray v) {
        Forward f = forward(measurements, op, null);
        return backward(f, v).cotangents().measurements().castTo(measurements.dataType());
    }
}
