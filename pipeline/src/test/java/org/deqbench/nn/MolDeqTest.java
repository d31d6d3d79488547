package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.deqbench.physics.CoilMaps;
import org.deqbench.physics.Masks;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.solve.AndersonAcceleration;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.FixedPointIteration;
import org.deqbench.solve.FixedPointSolver;
import org.deqbench.solve.ImplicitBackward;
import org.deqbench.solve.SolveResult;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A small deep-equilibrium model assembled from the core pieces — the MOL iteration
 * (Pramanik et al., IEEE TCI 2023)
 * <pre>
 *   T(x) = (I + αλ A^H A)^{-1} (z + αλ A^H b),   z = (1−α) x + α H(x)
 * </pre>
 * with H a spectrally normalised CNN (L = 0.5, so T contracts at ≤ 1 − α(1 − L)) and A multi-coil
 * MRI on 8×8 images (4 coils, 2× Cartesian undersampling) — checked end to end: implicit
 * gradients against finite differences of the loss at the fixed point, and Anderson against plain
 * iteration.
 */
class MolDeqTest {
    private static final int SIZE = 8;

    /** The MOL map and its implicit backward pass for one network, operator and measurement. */
    private static final class Mol {
        final ConvNet h;
        final MultiCoilMri a;
        final INDArray b;
        final INDArray ahb;
        final double alpha;
        final double lambda;
        final ConjugateGradient cg;

        Mol(ConvNet h, MultiCoilMri a, INDArray b, double alpha, double lambda, double cgTolerance) {
            this.h = h;
            this.a = a;
            this.b = b;
            this.ahb = a.adjoint(b);
            this.alpha = alpha;
            this.lambda = lambda;
            this.cg = new ConjugateGradient(cgTolerance, 500);
        }

        /** (I + αλ A^H A)^{-1} r, warm-started from {@code start}. */
        INDArray resolvent(INDArray r, INDArray start) {
            double w = alpha * lambda;
            return cg.solve(v -> a.normal(v).muli(w).addi(v), r, start).x();
        }

        INDArray map(INDArray x) {
            INDArray z = x.mul(1 - alpha).addi(h.forward(x).muli(alpha));
            return resolvent(z.addi(ahb.mul(alpha * lambda)), x);
        }

        /** u ↦ J_T(x*)^T u = (1−α) R u + α J_H(x*)^T R u (R symmetric). */
        UnaryOperator<INDArray> transposedJacobian(INDArray xStar) {
            return u -> {
                INDArray ru = resolvent(u, null);
                return ru.mul(1 - alpha).addi(h.vjp(xStar, ru).input().muli(alpha));
            };
        }

        /** dℓ/dθ = (∂T/∂θ)^T u = α J_θH(x*)^T R u. */
        Map<String, INDArray> parameterGradient(INDArray xStar, INDArray u) {
            Map<String, INDArray> g = h.vjp(xStar, resolvent(u, null)).parameters();
            Map<String, INDArray> out = new LinkedHashMap<>();
            g.forEach((k, v) -> out.put(k, v.mul(alpha)));
            return out;
        }
    }

    private static Mol problem(double alpha, double cgTolerance) {
        Random rng = new Random(5);
        INDArray maps = CoilMaps.simulate(4, SIZE, SIZE, rng, DataType.DOUBLE).reshape(1, 4, 2, SIZE, SIZE);
        INDArray mask = Masks.cartesian(SIZE, SIZE, 2.0, 0.25, rng).castTo(DataType.DOUBLE).reshape(1, SIZE, SIZE);
        MultiCoilMri a = new MultiCoilMri(maps, mask);
        INDArray truth = FiniteDifferences.gaussian(1, 1, 2, SIZE, SIZE);
        INDArray b = a.apply(truth).addi(a.apply(FiniteDifferences.gaussian(2, 1, 2, SIZE, SIZE)).muli(0.05));
        // Spectral normalisation with the power-iteration vectors frozen after creation, so that H
        // is a smooth function of its raw weights (finite differences see no iteration noise).
        ConvNet h = ConvNet.createSpectral(new NetworkSpec(3, 4, 3, "elu", 0.5), 2, 2,
                new SpectralNormalization.Settings(0.5, SIZE, SIZE, 64, 0, 1e-10, 0.0), 3, DataType.DOUBLE);
        Map<String, INDArray> p = h.parameters();
        for (int l = 0; l < 3; l++) {
            p.put("b" + l, FiniteDifferences.gaussian(60 + l, p.get("b" + l).shape()).muli(0.1));
        }
        h.setParameters(p);
        return new Mol(h, a, b, alpha, 2.0, cgTolerance);
    }

    private static final INDArray TRUTH = FiniteDifferences.gaussian(1, 1, 2, SIZE, SIZE);

    private static double loss(INDArray x) {
        INDArray d = x.sub(TRUTH);
        return 0.5 * FiniteDifferences.dot(d, d);
    }

    /**
     * The implicit gradient dℓ/dθ (backward fixed point u = g + J_T^T u, plain and Anderson)
     * against central differences of ℓ(x*(θ)) along a random direction per parameter tensor
     * (h = 1e-5). Forward solves stop at relative change 1e-13 and CG at 1e-14, so the fixed
     * point is exact to ≈1e-12 relative, far below what the required 1e-4 relative error needs.
     */
    @Test
    void implicitGradientMatchesFiniteDifferencesOfTheLossAtTheFixedPoint() {
        Mol mol = problem(0.5, 1e-14);
        FixedPointSolver forward = new FixedPointIteration(2000, 1e-13);
        INDArray x0 = mol.ahb.dup();
        SolveResult fixed = forward.solve(mol::map, x0);
        assertTrue(fixed.converged(), fixed.toString());
        INDArray xStar = fixed.x();
        INDArray g = xStar.sub(TRUTH);

        SolveResult uPlain = ImplicitBackward.of("implicit", new FixedPointIteration(2000, 1e-13))
                .solve(mol.transposedJacobian(xStar), g);
        SolveResult uAnderson = ImplicitBackward.of("implicit", AndersonAcceleration.of(5, 2000, 1e-13))
                .solve(mol.transposedJacobian(xStar), g);
        assertTrue(uPlain.converged() && uAnderson.converged());
        System.out.printf("MOL backward solve: plain %d evaluations, Anderson(m=5) %d%n",
                uPlain.mapEvaluations(), uAnderson.mapEvaluations());
        Map<String, INDArray> grad = mol.parameterGradient(xStar, uPlain.x());
        Map<String, INDArray> gradAnderson = mol.parameterGradient(xStar, uAnderson.x());

        Map<String, INDArray> p = mol.h.parameters();
        double eps = 1e-5;
        long seed = 70;
        for (String name : List.of("w0", "w2", "b1")) {
            INDArray d = FiniteDifferences.gaussian(seed++, p.get(name).shape());
            double fd = FiniteDifferences.directional(theta -> {
                Map<String, INDArray> q = new LinkedHashMap<>(p);
                q.put(name, theta);
                mol.h.setParameters(q);
                return loss(forward.solve(mol::map, xStar).x());
            }, p.get(name), d, eps);
            mol.h.setParameters(p);
            double implicit = FiniteDifferences.dot(grad.get(name), d);
            double err = FiniteDifferences.relativeError(fd, implicit);
            System.out.printf("MOL implicit gradient %s: finite difference %.10e, implicit %.10e, rel. error %.2e%n",
                    name, fd, implicit, err);
            assertTrue(err <= 1e-4, name + ": fd " + fd + " implicit " + implicit);
            assertEquals(implicit, FiniteDifferences.dot(gradAnderson.get(name), d), 1e-9 * Math.abs(implicit));
        }
        // The Jacobian-free direction (u = g) is not the gradient: the check above can fail.
        Map<String, INDArray> free = mol.parameterGradient(xStar,
                ImplicitBackward.of("jacobian-free", null).solve(mol.transposedJacobian(xStar), g).x());
        INDArray d = FiniteDifferences.gaussian(99, p.get("w1").shape());
        double exact = FiniteDifferences.dot(grad.get("w1"), d);
        assertTrue(FiniteDifferences.relativeError(exact, FiniteDifferences.dot(free.get("w1"), d)) > 1e-3);
    }

    /**
     * α = 0.1 (contraction ≤ 1 − 0.1·0.5 = 0.95): Anderson (m = 5) against plain iteration to the
     * same relative residual 1e-8. Both land within 1e-8·0.95/0.05 ≈ 2e-7 of the fixed point, so
     * they agree to 1e-6; Anderson must need under half the evaluations of T.
     */
    @Test
    void andersonReachesTheMolFixedPointInClearlyFewerEvaluations() {
        Mol mol = problem(0.1, 1e-12);
        INDArray x0 = mol.ahb.dup();
        SolveResult plain = new FixedPointIteration(3000, 1e-8).solve(mol::map, x0);
        SolveResult anderson = AndersonAcceleration.of(5, 3000, 1e-8).solve(mol::map, x0);
        System.out.printf("MOL forward solve (alpha=0.1, L=0.5, tol 1e-8): plain %d evaluations, Anderson(m=5) %d%n",
                plain.mapEvaluations(), anderson.mapEvaluations());
        assertTrue(plain.converged() && anderson.converged());
        double diff = anderson.x().sub(plain.x()).norm2Number().doubleValue() / plain.x().norm2Number().doubleValue();
        assertTrue(diff <= 1e-6, "fixed points differ by " + diff);
        assertTrue(2 * anderson.mapEvaluations() < plain.mapEvaluations(),
                "Anderson " + anderson.mapEvaluations() + " vs plain " + plain.mapEvaluations());
    }
}
