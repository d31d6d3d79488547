package org.deqbench.recon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.nn.ElderRegularizer;
import org.deqbench.physics.LinearOperator;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.solve.SolveResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ELDER: reconstruction by minimising an explicit learned objective (Zou, Liu, Wohlberg, Kamilov,
 * "Deep equilibrium learning of explicit regularizers for imaging inverse problems", 2023),
 * <pre>
 *   F(x) = ½‖A x − b‖² + τ R_θ(x),     R_θ(x) = ½‖x − N_θ(x)‖²,     τ = 1/λ
 *   ∇F(x) = A^H(A x − b) + τ ∇R_θ(x)
 * </pre>
 * with N_θ a smooth 2D CNN ({@link ElderRegularizer} builds ∇R and its Hessian-vector products).
 * <b>λ convention:</b> λ is the data weight of the {@code deq} section, as in MOL and DEQ-GD
 * (λ A^H(Ax − b) + ∇R(x) = 0 is the same stationarity condition multiplied by λ); λ is learned
 * through log λ and is what {@code model.json} and {@code method.json} record as {@code lambda}.
 *
 * <p><b>Forward: gradient descent with Armijo backtracking</b> (Nocedal, Wright, Numerical
 * Optimization, 2nd ed., Alg. 3.1), per example, from x₀ = A^H b:
 * <pre>
 *   x⁺ = x − η ∇F(x),  accepted only if  F(x⁺) ≤ F(x) − c η ‖∇F(x)‖²   (c = {@value #ARMIJO_C})
 * </pre>
 * otherwise η is halved and the trial repeated (at most {@value #MAX_BACKTRACKS} times). The first
 * trial step is the Barzilai–Borwein step sᵀs / sᵀy of the last move (s = Δx, y = Δ∇F; η doubled
 * when sᵀy ≤ 0), 1 at the start. Why this guarantees decrease: every accepted step satisfies the
 * Armijo inequality, so F(x_{k+1}) ≤ F(x_k) − cη‖∇F(x_k)‖² &lt; F(x_k) whenever ∇F(x_k) ≠ 0 — by
 * construction, without knowing the Lipschitz constant L of ∇F (which for a CNN regulariser has no
 * useful bound); and since F is C¹ with locally Lipschitz gradient (smooth activations), a step
 * η ≤ 2(1 − c)/L_loc is accepted, so backtracking ends with η bounded below and ‖∇F(x_k)‖ → 0.
 * An example whose backtracking fails within the cap, or whose accepted decrease is at the
 * rounding level of F ({@value #RESOLVED_DECREASE} relative), has reached the precision floor of a
 * line search on F (‖∇F‖ near √ε relative in double) and stops there, reported as stalled: the
 * objective never increases.
 * The objective values are computed in double precision from the network's output.
 *
 * <p><b>Stopping</b> (stationarity): an example stops once ‖∇F(x)‖ ≤ tol · ‖A^H b‖
 * ({@code deq.tolerance}), or after {@code deq.max_iterations} accepted steps.
 *
 * <p><b>Backward: implicit differentiation of the stationarity condition</b>
 * G(x*, θ, τ, b) = A^H(A x* − b) + τ ∇R_θ(x*) = 0. With H = A^H A + τ ∇²R_θ(x*) (symmetric; the
 * Hessian of F, positive semi-definite at a minimiser) and a cotangent g = ∂ℓ/∂x*,
 * <pre>
 *   H u = g                                  (CG; each H v costs one ∇²R·v from ElderRegularizer)
 *   ∂ℓ/∂θ = −τ J_θ(∇R_θ(x*))^T u,   ∂ℓ/∂τ = −⟨∇R_θ(x*), u⟩,   ∂ℓ/∂b = A u
 * </pre>
 * (differentiate G = 0: H dx + τ d(∇R)/dθ dθ + ∇R dτ − A^H db = 0). This is the DEQ backward
 * u = g + J_T^T u of the gradient-descent map T(x) = x − η∇F(x), whose Jacobian is I − ηH, solved
 * by conjugate gradients instead of fixed-point iteration; no gradient of a gradient is taken
 * (SameDiff M2.1 has none): ∇²R·v and J_θ(∇R)^T v are first-order derivatives of the explicit ∇R
 * graph. The measurement VJP (∂x* / ∂b)^T v = A H^{-1} v makes this a
 * {@link Reconstructor.Differentiable} for attacks.
 *
 * <p>Computation runs in the network's dtype; results are cast back to the measurements' dtype.
 */
public final class ElderReconstructor implements Reconstructor.Differentiable {
    /** Armijo's sufficient-decrease constant. */
    static final double ARMIJO_C = 1e-4;
    /** Halvings of the trial step before an example is declared stalled. */
    static final int MAX_BACKTRACKS = 40;
    /**
     * A relative decrease of F at or below this is at the rounding level of its double-precision
     * evaluation (about ‖∇F‖ ≈ √ε relative): the descent has reached the precision floor of an
     * objective-based line search and the example stops, reported as stalled.
     */
    static final double RESOLVED_DECREASE = 1e-15;
    private static final double MIN_STEP = 1e-8;
    private static final double MAX_STEP = 1e4;

    /**
     * Solver settings.
     *
     * @param maxIterations         cap on accepted gradient steps per example
     * @param tolerance             stationarity: stop at ‖∇F(x)‖ ≤ tolerance · ‖A^H b‖
     * @param backwardMaxIterations cap on CG steps of H u = g
     * @param backwardTolerance     relative CG residual of H u = g
     */
    public record Settings(int maxIterations, double tolerance, int backwardMaxIterations, double backwardTolerance) {
        public Settings {
            if (maxIterations < 1 || !(tolerance > 0) || backwardMaxIterations < 1 || !(backwardTolerance > 0)) {
                throw new IllegalArgumentException("elder solver needs deq.max_iterations ≥ 1, deq.tolerance > 0,"
                        + " deq.backward_max_iterations ≥ 1 and deq.backward_tolerance > 0; found " + maxIterations
                        + ", " + tolerance + ", " + backwardMaxIterations + ", " + backwardTolerance);
            }
        }
    }

    private final ElderRegularizer regularizer;
    private final double lambda;
    private final Settings settings;

    /**
     * @param network N_θ (2D, smooth activation)
     * @param lambda  data weight λ &gt; 0 (τ = 1/λ)
     */
    public ElderReconstructor(ConvNet network, double lambda, Settings settings) {
        this(new ElderRegularizer(network), lambda, settings);
    }

    /** With an existing regulariser graph (training reuses one across steps). */
    public ElderReconstructor(ElderRegularizer regularizer, double lambda, Settings settings) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("elder data weight λ must be finite and > 0, found " + lambda);
        }
        this.regularizer = regularizer;
        this.lambda = lambda;
        this.settings = settings;
    }

    public ConvNet network() {
        return regularizer.network();
    }

    public ElderRegularizer regularizer() {
        return regularizer;
    }

    public double lambda() {
        return lambda;
    }

    /** τ = 1/λ, the weight of R in F. */
    public double tau() {
        return 1.0 / lambda;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The minimisation's outcome per example.
     *
     * @param operator     A
     * @param measurements b (network dtype)
     * @param x            x* {@code [B, ...]}
     * @param iterations   accepted gradient steps per example
     * @param stationarity final ‖∇F(x)‖ / ‖A^H b‖ per example
     * @param converged    whether the stationarity tolerance was met
     * @param stalled      whether backtracking found no decrease (the example stopped there)
     * @param objective    F(x_k) per example for k = 0 … iterations (the start included)
     */
    public record Forward(LinearOperator operator, INDArray measurements, INDArray x, int[] iterations,
                          double[] stationarity, boolean[] converged, boolean[] stalled, List<double[]> objective) {
    }

    /**
     * The backward solve and the cotangents.
     *
     * @param solve        CG on H u = g
     * @param parameters   ∂ℓ/∂θ keyed like {@link ConvNet#parameters()}
     * @param tau          ∂ℓ/∂τ
     * @param measurements ∂ℓ/∂b
     */
    public record Backward(SolveResult solve, Map<String, INDArray> parameters, double tau, INDArray measurements) {
        /** ∂ℓ/∂log λ = −τ · ∂ℓ/∂τ, since τ = e^{−log λ}; {@code tauValue} is τ. */
        public double logLambda(double tauValue) {
            return -tauValue * tau;
        }
    }

    private DataType dtype() {
        return regularizer.network().dataType();
    }

    /** F(x) per example, in double: ½‖Ax − b‖² + τ · ½‖x − N(x)‖². */
    public double[] objective(LinearOperator op, INDArray b, INDArray x) {
        INDArray dataResidual = op.apply(x).castTo(DataType.DOUBLE).subi(b.castTo(DataType.DOUBLE));
        INDArray regResidual = x.sub(regularizer.network().forward(x)).castTo(DataType.DOUBLE);
        double[] data = halfSquaredNorms(dataResidual);
        double[] reg = halfSquaredNorms(regResidual);
        double tau = tau();
        double[] f = new double[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = data[i] + tau * reg[i];
        }
        return f;
    }

    /** ∇F(x) = A^H(Ax − b) + τ ∇R(x). */
    public INDArray gradient(LinearOperator op, INDArray adjointMeasurements, INDArray x) {
        return op.normal(x).subi(adjointMeasurements).addi(regularizer.gradient(x).muli(tau()));
    }

    /** Minimises F from x₀ = A^H b. */
    public Forward forward(INDArray measurements, LinearOperator op) {
        return forward(measurements, op, null);
    }

    /** Minimises F from {@code x0} (null: A^H b). */
    public Forward forward(INDArray measurements, LinearOperator op, INDArray x0) {
        INDArray b = measurements.castTo(dtype());
        INDArray ahb = op.adjoint(b);
        int n = (int) b.size(0);
        INDArray x = (x0 == null ? ahb : x0.castTo(dtype())).dup('c');
        double[] scale = norms(ahb);
        for (int i = 0; i < n; i++) {
            scale[i] = scale[i] > 0 ? scale[i] : 1.0;
        }
        double[] f = objective(op, b, x);
        INDArray g = gradient(op, ahb, x);
        double[] gNorm = norms(g);
        double[] eta = new double[n];
        Arrays.fill(eta, 1.0);
        int[] iterations = new int[n];
        boolean[] converged = new boolean[n];
        boolean[] stalled = new boolean[n];
        List<List<Double>> traces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            traces.add(new ArrayList<>(List.of(f[i])));
            converged[i] = gNorm[i] <= settings.tolerance() * scale[i];
        }
        while (true) {
            boolean[] active = new boolean[n];
            boolean any = false;
            for (int i = 0; i < n; i++) {
                active[i] = !converged[i] && !stalled[i] && iterations[i] < settings.maxIterations();
                any |= active[i];
            }
            if (!any) {
                break;
            }
            INDArray xOld = x.dup();
            INDArray gOld = g.dup();
            boolean[] pending = active.clone();
            boolean[] exhausted = new boolean[n];
            double[] sq = new double[n];
            for (int i = 0; i < n; i++) {
                sq[i] = gNorm[i] * gNorm[i];
            }
            for (int t = 0; t <= MAX_BACKTRACKS && anyOf(pending); t++) {
                INDArray trial = x.dup();
                for (int i = 0; i < n; i++) {
                    if (pending[i]) {
                        trial.slice(i).subi(g.slice(i).mul(eta[i]));
                    }
                }
                double[] ft = objective(op, b, trial);
                for (int i = 0; i < n; i++) {
                    if (!pending[i]) {
                        continue;
                    }
                    if (ft[i] <= f[i] - ARMIJO_C * eta[i] * sq[i]) {
                        x.slice(i).assign(trial.slice(i));
                        // a decrease at the rounding level of F: the precision floor, stop here
                        exhausted[i] = f[i] - ft[i] <= RESOLVED_DECREASE * Math.abs(f[i]);
                        f[i] = ft[i];
                        pending[i] = false;
                    } else {
                        eta[i] /= 2;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (active[i] && pending[i]) {
                    stalled[i] = true;
                    active[i] = false;
                }
                stalled[i] |= exhausted[i];
            }
            g = gradient(op, ahb, x);
            gNorm = norms(g);
            INDArray s = x.sub(xOld);
            INDArray y = g.sub(gOld);
            double[] ss = dots(s, s);
            double[] sy = dots(s, y);
            for (int i = 0; i < n; i++) {
                if (!active[i]) {
                    continue;
                }
                iterations[i]++;
                traces.get(i).add(f[i]);
                converged[i] = gNorm[i] <= settings.tolerance() * scale[i];
                eta[i] = sy[i] > 0 ? ss[i] / sy[i] : 2 * eta[i];
                eta[i] = Math.min(MAX_STEP, Math.max(MIN_STEP, eta[i]));
            }
        }
        double[] stationarity = new double[n];
        List<double[]> objective = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            stationarity[i] = gNorm[i] / scale[i];
            objective.add(traces.get(i).stream().mapToDouble(Double::doubleValue).toArray());
        }
        return new Forward(op, b, x, iterations, stationarity, converged, stalled, objective);
    }

    /** H v = A^H A v + τ ∇²R(x) v. */
    private INDArray hessian(LinearOperator op, INDArray x, INDArray v) {
        return op.normal(v).addi(regularizer.gradientVjp(x, v).input().muli(tau()));
    }

    /** Implicit gradients at x* for the cotangent {@code g} = ∂ℓ/∂x* (see the class comment). */
    public Backward backward(Forward f, INDArray g) {
        LinearOperator op = f.operator();
        INDArray x = f.x();
        SolveResult u = new ConjugateGradient(settings.backwardTolerance(), settings.backwardMaxIterations())
                .solve(v -> hessian(op, x, v), g.castTo(dtype()), null);
        ElderRegularizer.GradientVjp at = regularizer.gradientVjp(x, u.x());
        double tau = tau();
        Map<String, INDArray> parameters = new java.util.LinkedHashMap<>();
        at.parameters().forEach((k, v) -> parameters.put(k, v.mul(-tau)));
        double dTau = -inner(at.gradient(), u.x());
        return new Backward(u, parameters, dTau, op.apply(u.x()));
    }

    @Override
    public INDArray reconstruct(INDArray measurements, LinearOperator op) {
        return forward(measurements, op).x().castTo(measurements.dataType());
    }

    @Override
    public INDArray measurementVjp(INDArray measurements, LinearOperator op, INDArray v) {
        return backward(forward(measurements, op), v).measurements().castTo(measurements.dataType());
    }

    private static boolean anyOf(boolean[] a) {
        for (boolean b : a) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    private static INDArray rows(INDArray a) {
        return a.castTo(DataType.DOUBLE).reshape('c', a.size(0), a.length() / a.size(0));
    }

    private static double[] halfSquaredNorms(INDArray a) {
        INDArray r = rows(a);
        return r.mul(r).sum(1).muli(0.5).toDoubleVector();
    }

    static double[] norms(INDArray a) {
        return rows(a).norm2(1).toDoubleVector();
    }

    private static double[] dots(INDArray a, INDArray b) {
        return rows(a).mul(rows(b)).sum(1).toDoubleVector();
    }

    private static double inner(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }
}
