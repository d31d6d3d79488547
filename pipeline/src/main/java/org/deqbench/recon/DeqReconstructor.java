package org.deqbench.recon;

import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.FixedPointSolver;
import org.deqbench.solve.ImplicitBackward;
import org.deqbench.solve.SolveResult;
import org.deqbench.spec.DeqSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A deep-equilibrium reconstruction with MOL's iteration ({@link MolIteration}): the plain DEQ
 * (unconstrained H_θ), MOL-SN (spectrally normalised H_θ) and MOL-LR (H_θ trained with the
 * Lipschitz barrier) differ only in how their network was trained.
 *
 * <p><b>Forward.</b> x₀ = CG-SENSE (A^H A + μ I)^{-1} A^H b with μ = 1/λ, which is the fixed point
 * when H ≡ 0, by {@code initCgIterations} CG steps; then x* = T(x*) by plain iteration or Anderson
 * acceleration ({@code deq.solver}) up to {@code deq.max_iterations} applications of T, stopping
 * each example at relative change {@code deq.tolerance}. A forward solve that hits the cap is
 * returned as it is, with {@code converged = false} in its {@link SolveResult}: without a Lipschitz
 * constraint the iteration need not converge, and that is reported, not hidden.
 *
 * <p><b>Backward</b> (Bai, Kolter, Koltun, NeurIPS 2019; MOL code): for a cotangent g = ∂ℓ/∂x*,
 * u = g + J_T(x*)^T u by the same solver (or u = g, Jacobian-free, Fung et al. AAAI 2022, with
 * {@code deq.backward: jacobian-free}); then w = M^{-1} u by CG to tolerance, and
 * ∂ℓ/∂θ = α J_{H,θ}^T w, ∂ℓ/∂λ = α⟨w, A^H(b − A x*)⟩, ∂ℓ/∂b = αλ A w. The measurement
 * gradient makes this a {@link Reconstructor.Differentiable} for attacks.
 *
 * <p>Computation runs in the network's dtype; inputs of another dtype are cast and results cast
 * back.
 */
public final class DeqReconstructor implements Reconstructor.Differentiable {
    /** CG for the final M^{-1} u of the backward pass and for x₀: relative tolerance per dtype. */
    private static final int ACCURATE_CG_ITERATIONS = 100;

    private final MolIteration iteration;
    private final DeqSpec deq;
    private final Start start;

    /**
     * The CG-SENSE start x₀ = (A^H A + μ I)^{-1} A^H b by {@code cgIterations} CG steps from zero.
     *
     * @param mu           Tikhonov weight μ
     * @param cgIterations CG step cap
     * @param cgTolerance  relative residual at which CG stops; null for the dtype's default
     *                     (1e-10 in float64, 1e-5 in float32), 0 to run every step
     */
    public record Start(double mu, int cgIterations, Double cgTolerance) {
        public Start {
            if (!(mu > 0) || cgIterations < 1 || (cgTolerance != null && !(cgTolerance >= 0))) {
                throw new IllegalArgumentException("CG-SENSE start needs mu > 0, cg iterations >= 1 and a tolerance"
                        + " >= 0; found " + mu + ", " + cgIterations + ", " + cgTolerance);
            }
        }
    }

    /**
     * @param initCgIterations CG steps for the CG-SENSE start x₀ (μ = 1/λ)
     */
    public DeqReconstructor(ConvNet network, double lambda, DeqSpec deq, int initCgIterations) {
        this(new MolIteration(network, deq.alpha(), lambda, deq.cgIterations()), deq,
                new Start(1.0 / lambda, initCgIterations, null));
    }

    /**
     * An iteration with its own identity weight and start (an imported official model: γ = 1.001,
     * x₀ with the official code's λ_init and CG steps). {@code deq}'s α and CG steps must be the
     * iteration's.
     */
    public DeqReconstructor(MolIteration iteration, DeqSpec deq, Start start) {
        LinearSubgraphSession.install(); // sessions that free released arrays (see there)
        if (iteration.alpha() != deq.alpha() || iteration.cgIterations() != deq.cgIterations()) {
            throw new IllegalArgumentException("deq settings (alpha " + deq.alpha() + ", cg_iterations "
                    + deq.cgIterations() + ") differ from the iteration's (" + iteration.alpha() + ", "
                    + iteration.cgIterations() + ")");
        }
        this.iteration = iteration;
        this.deq = deq;
        this.start = start;
    }

    public MolIteration iteration() {
        return iteration;
    }

    public ConvNet network() {
        return iteration.network();
    }

    public double lambda() {
        return iteration.lambda();
    }

    public DeqSpec deq() {
        return deq;
    }

    /**
     * The same network, λ, identity weight and start with other solver settings (the attack's
     * tighter, exact solves).
     */
    public DeqReconstructor withSolver(DeqSpec solver) {
        return new DeqReconstructor(new MolIteration(iteration.network(), solver.alpha(), iteration.lambda(),
                solver.cgIterations(), iteration.identityWeight()), solver, start);
    }

    /** x* and how the solve went. */
    public record Forward(MolIteration.Data data, INDArray x0, SolveResult solve) {
        public INDArray x() {
            return solve.x();
        }
    }

    /** The backward solve and the cotangents it produced. */
    public record Backward(SolveResult solve, MolIteration.Cotangents cotangents) {
    }

    private DataType dtype() {
        return iteration.network().dataType();
    }

    /**
     * The CG-SENSE start; with the default μ = 1/λ it is the fixed point of the iteration when
     * H ≡ 0 (and γ = 1).
     */
    public INDArray initial(MolIteration.Data d) {
        double mu = start.mu();
        double tolerance = start.cgTolerance() == null ? cgTolerance() : start.cgTolerance();
        return new DataConsistency(d.operator(), mu, 1.0)
                .solve(new ConjugateGradient(tolerance, start.cgIterations()), d.adjointMeasurements(), null).x();
    }

    /** How x₀ is computed. */
    public Start start() {
        return start;
    }

    /** Solves x* = T(x*) from {@code x0} (null: the CG-SENSE start). */
    public Forward forward(INDArray measurements, LinearOperator op, INDArray x0) {
        MolIteration.Data d = MolIteration.Data.of(op, measurements.castTo(dtype()));
        INDArray start = x0 == null ? initial(d) : x0.castTo(dtype());
        FixedPointSolver solver = FixedPointSolver.of(deq.solver(), deq.andersonMemory(), deq.maxIterations(), deq.tolerance());
        SolveResult r = solver.solve(x -> iteration.apply(d, x), start);
        return new Forward(d, start, r);
    }

    /** The implicit (or Jacobian-free) backward pass for cotangent {@code g} = ∂ℓ/∂x*. */
    public Backward backward(Forward f, INDArray g) {
        FixedPointSolver solver = FixedPointSolver.of(deq.solver(), deq.andersonMemory(), deq.backwardMaxIterations(),
                deq.backwardTolerance());
        INDArray x = f.x();
        INDArray[] warm = new INDArray[1];
        SolveResult u = ImplicitBackward.of(deq.backward(), solver)
                .solve(v -> iteration.transposeJacobian(f.data(), x, v, warm), g.castTo(dtype()));
        INDArray w = iteration.solveDataConsistency(f.data().operator(), u.x(), warm[0],
                new ConjugateGradient(cgTolerance(), ACCURATE_CG_ITERATIONS)).x();
        return new Backward(u, iteration.cotangents(f.data(), x, w));
    }

    private double cgTolerance() {
        return dtype() == DataType.DOUBLE ? 1e-10 : 1e-5;
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
