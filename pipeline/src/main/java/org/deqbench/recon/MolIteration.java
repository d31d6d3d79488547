package org.deqbench.recon;

import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.SolveResult;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One step of MOL's fixed-point iteration (Pramanik, Zimmerman, Jacob, "Memory-efficient
 * model-based deep learning with convergence and robustness guarantees", IEEE TCI 2023; official
 * code), for a CNN H_θ and the score F = I − H_θ:
 * <pre>
 *   z  = (1 − α) x + α H_θ(x)
 *   T(x) = M^{-1} (z + αλ A^H b),       M = γ I + αλ A^H A
 * </pre>
 * with γ = 1 (the paper's iteration) unless given: the official code solves with γ = 1.001
 * ({@code Sense.inv}: {@code lam*ATA(x) + 1.001*x}), which moves the fixed point to
 * λ A^H(A x − b) + F(x) + ((γ − 1)/α) x = 0 — with α = 0.01 a tenth of x, so a model trained
 * that way is only reproduced with its γ.
 * M^{-1} by {@code cgIterations} conjugate-gradient steps warm-started at x (the previous iterate:
 * at the fixed point the warm start already solves the system). A fixed point satisfies
 * λ A^H(A x − b) + F(x) = 0.
 *
 * <p>Derivatives at a point x (all needed by the implicit backward pass and the attacks):
 * <pre>
 *   J_T(x)^T u = ((1 − α) I + α J_H(x)^T) M^{-1} u                (M is symmetric)
 *   (∂T/∂θ)^T u = α J_{H,θ}(x)^T M^{-1} u
 *   (∂T/∂λ)^T u = α ⟨M^{-1} u, A^H (b − A T(x))⟩
 *   (∂T/∂b)^T u = αλ A M^{-1} u
 * </pre>
 * (differentiate M T = z + αλ A^H b: M dT = α dλ A^H(b − A T) + αλ A^H db + dz).
 *
 * @param network        H_θ
 * @param alpha          α
 * @param lambda         λ
 * @param cgIterations   warm-started CG steps per data-consistency solve
 * @param identityWeight γ of M = γ I + αλ A^H A (1 but for imported official models)
 */
public record MolIteration(ConvNet network, double alpha, double lambda, int cgIterations, double identityWeight) {

    /** The measurements and operator of one batch, with A^H b computed once. */
    public record Data(LinearOperator operator, INDArray measurements, INDArray adjointMeasurements) {
        public static Data of(LinearOperator op, INDArray b) {
            return new Data(op, b, op.adjoint(b));
        }
    }

    /** The paper's iteration, γ = 1. */
    public MolIteration(ConvNet network, double alpha, double lambda, int cgIterations) {
        this(network, alpha, lambda, cgIterations, 1.0);
    }

    public MolIteration {
        if (!(identityWeight > 0)) {
            throw new IllegalArgumentException("MOL identity weight γ must be > 0, found " + identityWeight);
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("deq.alpha: expected a step in (0, 1], found " + alpha);
        }
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("MOL data weight λ must be > 0, found " + lambda);
        }
        if (cgIterations < 1) {
            throw new IllegalArgumentException("deq.cg_iterations: expected ≥ 1, found " + cgIterations);
        }
    }

    /** M v = γ v + αλ A^H A v. */
    public INDArray dataConsistencyOperator(LinearOperator op, INDArray v) {
        INDArray mv = op.normal(v).muli(alpha * lambda);
        return identityWeight == 1.0 ? mv.addi(v) : mv.addi(v.mul(identityWeight));
    }

    /** M^{-1} r by {@code steps} CG steps from {@code warm} (null: zero); tolerance 0 runs all steps. */
    public SolveResult solveDataConsistency(LinearOperator op, INDArray r, INDArray warm, ConjugateGradient cg) {
        return new DataConsistency(op, identityWeight, alpha * lambda).solve(cg, r, warm);
    }

    /** T(x). */
    public INDArray apply(Data d, INDArray x) {
        INDArray h = network.forward(x);
        INDArray rhs = x.mul(1 - alpha).addi(h.muli(alpha)).addi(d.adjointMeasurements().mul(alpha * lambda));
        return solveDataConsistency(d.operator(), rhs, x, new ConjugateGradient(0, cgIterations)).x();
    }

    /**
     * u ↦ J_T(x)^T u at a fixed point x. Each call solves M w = u by warm-started CG from the
     * previous call's w (held in {@code warm}), as the backward iteration moves slowly.
     */
    public INDArray transposeJacobian(Data d, INDArray x, INDArray u, INDArray[] warm) {
        INDArray w = solveDataConsistency(d.operator(), u, warm[0], new ConjugateGradient(0, cgIterations)).x();
        warm[0] = w;
        INDArray jh = network.vjp(x, w).input();
        return w.mul(1 - alpha).addi(jh.muli(alpha));
    }

    /**
     * The parameter, λ and measurement cotangents of the iteration map at a fixed point x for the
     * backward solution u, with w = M^{-1} u given.
     */
    public Cotangents cotangents(Data d, INDArray x, INDArray w) {
        ConvNet.Vjp vjp = network.vjp(x, w.mul(alpha));
        INDArray residual = d.adjointMeasurements().sub(d.operator().normal(x));
        double dLambda = alpha * w.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .mul(residual.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)).sumNumber().doubleValue();
        INDArray db = d.operator().apply(w).muli(alpha * lambda);
        return new Cotangents(vjp.parameters(), dLambda, db);
    }

    /**
     * (∂T/∂θ)^T u, (∂T/∂λ)^T u, (∂T/∂b)^T u.
     *
     * @param parameters  by network parameter name (raw parameters for a spectrally normalised network)
     * @param lambda      scalar
     * @param measurements same shape as b
     */
    public record Cotangents(Map<String, INDArray> parameters, double lambda, INDArray measurements) {
    }
}
