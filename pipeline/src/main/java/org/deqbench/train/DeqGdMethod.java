package org.deqbench.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.DeqGdReconstructor;
import org.deqbench.recon.FixedPointErrorBound;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.ErrorBoundSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DEQ-GD and RERG (Willingham, Sjöström, Guillemot, "Training Methods for Regularizing Gradients
 * on Multi-Task Image Restoration Problems", VISAPP 2024): gradient descent with a learned
 * regularizing gradient to its fixed point, {@link DeqGdReconstructor}, with η = {@code deq.alpha}
 * and λ learned from {@code deq.lambda}. One instance per kind:
 * <ul>
 *   <li>{@code deq-gd}: trained at the fixed point on the MSE (implicit or Jacobian-free backward,
 *       plain or Anderson forward, from the {@code deq} section), or, with
 *       {@code error_bound.training: bound}, on the bound's numerator ‖T(x_gt) − x_gt‖²/n alone;</li>
 *   <li>{@code rerg}: at the fixed point on MSE + {@code error_bound.weight}·‖T(x_gt) − x_gt‖²/n.</li>
 * </ul>
 * ({@link DeqGdModel} has the losses and why only the numerator is trained.)
 *
 * <p><b>What the test split reports</b> ({@code method.json}): for every test image the error bound
 * ‖x* − x_gt‖ ≤ ‖T(x_gt) − x_gt‖ / (1 − L̂_T) ({@link FixedPointErrorBound}) next to the true error
 * ‖x* − x_gt‖, with the L̂_T used: the larger of ‖J_T(x*)‖₂ and ‖J_T(x_gt)‖₂ by power iteration on
 * J_T^T J_T for that image alone. That is a local estimate (a lower estimate of the Lipschitz
 * constant on the segment [x*, x_gt]), so the bound is an estimate, not a certificate; where
 * L̂_T ≥ 1 there is no bound ({@code bound: null}).
 */
final class DeqGdMethod implements LearnedMethod<DeqGdModel> {
    /** Problems the contract test runs DEQ-GD and RERG on (the networks take every problem's shape). */
    static final Set<Problem> PROBLEMS = LearnedTraining.PROBLEMS;

    private final MethodKind kind;

    DeqGdMethod(MethodKind kind) {
        if (kind != MethodKind.DEQ_GD && kind != MethodKind.RERG) {
            throw new IllegalArgumentException("DeqGdMethod runs deq-gd and rerg, not " + kind.key());
        }
        this.kind = kind;
    }

    @Override
    public Set<String> specKeys() {
        return Set.of("cg_iterations", "error_bound");
    }

    @Override
    public Set<Problem> problems() {
        return PROBLEMS;
    }

    /** The loss the spec selects (see {@link ErrorBoundSpec}). */
    DeqGdModel.Loss loss(MethodSpec m) {
        if (kind == MethodKind.RERG) {
            return DeqGdModel.Loss.REGULARISED;
        }
        if (m.errorBound() == null || !m.errorBound().boundTraining()) {
            return DeqGdModel.Loss.FIXED_POINT;
        }
        return m.errorBound().trainsDenominator() ? DeqGdModel.Loss.BOUND_RATIO : DeqGdModel.Loss.BOUND;
    }

    @Override
    public DeqGdModel create(MethodSpec m, TaskSpec task, long seed) {
        ConvNet net = LearnedTraining.network(m, task, seed, false);
        double weight = m.errorBound() == null ? 0 : m.errorBound().weight();
        DeqGdModel model = new DeqGdModel(net, m.deq().lambda(), m.deq(), m.cgIterations(), loss(m), weight);
        model.useTraining(m.training());
        return model;
    }

    @Override
    public ConvNet network(DeqGdModel model) {
        return model.network();
    }

    @Override
    public double lambda(DeqGdModel model) {
        return model.lambda();
    }

    @Override
    public Map<String, Object> settings(DeqGdModel model, MethodSpec m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("deq", m.deq());
        s.put("init_cg_iterations", m.cgIterations());
        s.put("training_loss", lossName(model.loss()));
        return s;
    }

    @Override
    public Reconstructor.Differentiable restore(ConvNet network, JsonNode model, MethodSpec m) {
        return new DeqGdReconstructor(network, model.get("lambda").asDouble(), m.deq(), m.cgIterations());
    }

    private static String lossName(DeqGdModel.Loss loss) {
        return switch (loss) {
            case FIXED_POINT -> "mse of the fixed point";
            case REGULARISED -> "mse of the fixed point + error_bound.weight * ||T(x_gt) - x_gt||^2 / n";
            case BOUND -> "||T(x_gt) - x_gt||^2 / n (the error bound's numerator; no fixed-point solve)";
            case BOUND_RATIO -> "log(||T(x_gt) - x_gt||^2 / n) + 2 barrier(L_T estimate at x_gt): the log of the squared"
                    + " error bound (no fixed-point solve)";
        };
    }

    /**
     * Fixed points one test image at a time (so that L̂_T and the bound are per image), forward
     * iterations and convergence, and the error bound against the true error per image.
     */
    @Override
    public LearnedTraining.Evaluation evaluate(DeqGdModel model, ExampleSet test, MethodSpec m) {
        DeqGdReconstructor r = model.reconstructor();
        List<INDArray> parts = new ArrayList<>();
        List<Map<String, Object>> bounds = new ArrayList<>();
        double iterations = 0;
        double maxIterations = 0;
        double residual = 0;
        boolean converged = true;
        int holds = 0;
        int finite = 0;
        for (int i = 0; i < test.size(); i++) {
            ExampleSet.Batch b = test.batch(new int[] {i});
            DeqGdReconstructor.Forward f = r.forward(b.measurements(), b.operator(), null);
            parts.add(f.x());
            converged &= f.solve().converged();
            iterations += f.solve().iterations();
            maxIterations = Math.max(maxIterations, f.solve().iterations());
            residual = Math.max(residual, f.solve().finalResidual());
            FixedPointErrorBound e = r.errorBounds(f, b.groundTruth())[0];
            double error = f.x().sub(b.groundTruth().castTo(f.x().dataType()))
                    .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).norm2Number().doubleValue();
            boolean isFinite = Double.isFinite(e.bound());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("image", i);
            row.put("true_error", error);
            row.put("bound", isFinite ? e.bound() : null);
            row.put("residual_norm", e.residualNorm());
            row.put("lipschitz_estimate", e.lipschitz());
            row.put("bound_holds", isFinite ? e.bound() >= error : null);
            bounds.add(row);
            finite += isFinite ? 1 : 0;
            holds += isFinite && e.bound() >= error ? 1 : 0;
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("lambda", r.lambda());
        info.put("eta", m.deq().alpha());
        info.put("training_loss", lossName(model.loss()));
        if (kind == MethodKind.RERG) {
            info.put("error_bound_weight", m.errorBound().weight());
        }
        info.put("forward_iterations", iterations / test.size());
        info.put("forward_iterations_max", maxIterations);
        info.put("converged", converged);
        info.put("forward_residual", residual);
        info.put("forward_tolerance", m.deq().tolerance());
        info.put("forward_max_iterations", m.deq().maxIterations());
        info.put("error_bounds", bounds);
        info.put("error_bound_formula", "||x* - x_gt|| <= ||T(x_gt) - x_gt|| / (1 - L_T), T(x) = x - eta (A^H(A x - b)"
                + " + (x - N(x)) / lambda); bound null where L_T >= 1");
        info.put("error_bound_lipschitz_kind", "local estimate, not a certificate: L_T = max(||J_T(x*)||_2, ||J_T(x_gt)||_2)"
                + " for each image by power iteration on J_T^T J_T (at most 50 steps, relative change 1e-4); a lower"
                + " estimate of the Lipschitz constant on the segment [x*, x_gt], so the bound is an estimate");
        info.put("error_bound_finite", finite);
        info.put("error_bound_holds", holds);
        info.put("parameters", r.network().parameterCount() + 1);
        return new LearnedTraining.Evaluation(Nd4j.concat(0, parts.toArray(INDArray[]::new)), info);
    }
}
