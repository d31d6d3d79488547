package org.deqbench.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.deqbench.certify.LipschitzAscent;
import org.deqbench.physics.LinearOperator;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.DeqSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The worst measurement perturbation of a given size: projected gradient ascent on
 * <pre>
 *   maximise  φ(δ) = ½‖f(b + δ) − f(b)‖²   over   S_r = {δ : ‖δ‖ = r, δ = Pδ},
 * </pre>
 * P keeping the measured entries (entries of b that are exactly zero, such as unsampled k-space
 * locations, are not measurements). ∇φ(δ) = J_f(b + δ)^T (f(b + δ) − f(b)), from the method's
 * measurement VJP (implicit differentiation for equilibrium methods, backpropagation for unrolled
 * ones, R^T for linear maps). Each step moves along the normalised projected gradient and returns
 * to the sphere,
 * <pre>
 *   g = P∇φ(δ_t),   δ_{t+1} = r · (δ_t + η_t r g/‖g‖) / ‖δ_t + η_t r g/‖g‖‖,   η_t = η₀ / √(1 + t),
 * </pre>
 * over {@code restarts} starts, keeping the best iterate of all (Antun et al., PNAS 2020; Genzel,
 * Macdonald, März, TPAMI 2022): even-numbered starts are seeded random Gaussian directions on the
 * measured entries (fresh basins), odd-numbered ones restart from the best δ so far with the step
 * schedule reset (a warm restart that refines it). For a
 * linear map f = R the maximiser is the top right singular vector of RP and the step is power
 * iteration on I + c R^T R (c > 0), so the amplification rises to ‖RP‖; a large η₀ makes it
 * plain power iteration. The result is a lower bound on the Lipschitz constant of f on the
 * sphere around b, never a certificate.
 */
public final class ProjectedGradientAttack {
    /**
     * @param steps    gradient steps per start (each one forward solve and one VJP)
     * @param restarts random starts
     * @param stepSize η₀, relative to the radius
     */
    public record Settings(int steps, int restarts, double stepSize) {
        public Settings {
            if (steps < 1 || restarts < 1 || !(stepSize > 0) || Double.isInfinite(stepSize)) {
                throw new IllegalArgumentException("attack needs steps >= 1, restarts >= 1 and a finite step_size > 0;"
                        + " got steps " + steps + ", restarts " + restarts + ", step_size " + stepSize);
            }
        }
    }

    /**
     * @param delta         the best perturbation found (‖δ‖ = r)
     * @param amplification ‖f(b + δ) − f(b)‖ / r for it
     * @param bestRestart   the start it came from
     * @param evaluations   forward solves spent (excluding f(b))
     * @param history       amplification after each step, restarts one after another
     */
    public record Result(INDArray delta, double amplification, int bestRestart, int evaluations, List<Double> history) {
    }

    private final Settings settings;

    /**
     * The solver settings an equilibrium method is attacked with, whatever it was trained with:
     * exact implicit backward, forward and backward tolerance min(its own, {@code tolerance}) and at
     * least 4× its iteration caps (500 or more), so that the gradient is the true one and solver
     * error does not pass for amplification.
     */
    public static DeqSpec exactSolver(DeqSpec d, double tolerance) {
        return new DeqSpec(d.alpha(), d.lambda(), Math.max(4 * d.maxIterations(), 500), Math.min(d.tolerance(), tolerance),
                d.solver(), d.andersonMemory(), "implicit", Math.max(4 * d.backwardMaxIterations(), 500),
                Math.min(d.backwardTolerance(), tolerance), d.cgIterations());
    }

    public ProjectedGradientAttack(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * @param f      the reconstruction map
     * @param b      one example's measurements [1, range...]
     * @param x      f(b), computed once by the caller
     * @param op     the example's forward operator
     * @param radius r = ‖δ‖
     * @param seed   seed of the random starts (random start j uses seed + j)
     */
    public Result attack(Reconstructor.Differentiable f, INDArray b, INDArray x, LinearOperator op, double radius,
                         long seed) {
        INDArray mask = b.neq(0.0).castTo(b.dataType());
        INDArray best = null;
        double bestAmp = -1;
        int bestRestart = -1;
        int evaluations = 0;
        List<Double> history = new ArrayList<>();
        for (int start = 0; start < settings.restarts(); start++) {
            INDArray delta = start % 2 == 1 && best != null ? best
                    : LipschitzAscent.randomDirection(b, radius, seed + start);
            for (int t = 0; t <= settings.steps(); t++) {
                Evaluation e = evaluate(f, b.add(delta), op);
                INDArray d = e.x().subi(x);
                evaluations++;
                double amp = d.norm2Number().doubleValue() / radius;
                history.add(amp);
                if (amp > bestAmp) {
                    bestAmp = amp;
                    best = delta;
                    bestRestart = start;
                }
                if (t == settings.steps()) {
                    break;
                }
                INDArray g = e.vjp().apply(d).muli(mask);
                double gn = g.norm2Number().doubleValue();
                if (!(gn > 0) || Double.isInfinite(gn)) {
                    break;
                }
                double eta = settings.stepSize() / Math.sqrt(1 + t);
                INDArray next = delta.add(g.muli(eta * radius / gn)).muli(mask);
                delta = next.muli(radius / next.norm2Number().doubleValue());
            }
        }
        return new Result(best, bestAmp, bestRestart, evaluations, history);
    }

    /** f(b) and v ↦ J_f(b)^T v, sharing the forward solve of an equilibrium method. */
    private record Evaluation(INDArray x, UnaryOperator<INDArray> vjp) {
    }

    private static Evaluation evaluate(Reconstructor.Differentiable f, INDArray b, LinearOperator op) {
        if (f instanceof DeqReconstructor deq) {
            DeqReconstructor.Forward forward = deq.forward(b, op, null);
            return new Evaluation(forward.x().castTo(b.dataType()),
                    v -> deq.backward(forward, v).cotangents().measurements().castTo(b.dataType()));
        }
        return new Evaluation(f.reconstruct(b, op), v -> f.measurementVjp(b, op, v));
    }
}
