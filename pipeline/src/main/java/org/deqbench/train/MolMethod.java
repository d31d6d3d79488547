package org.deqbench.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The deep-equilibrium methods with MOL's iteration ({@link DeqReconstructor}; Pramanik, Zimmerman,
 * Jacob, IEEE TCI 2023), one instance per variant: {@code deq} (unconstrained H_θ, may fail to
 * converge: reported, not an error), {@code mol-sn} (spectrally normalised H_θ) and {@code mol-lr}
 * (H_θ trained with the Lipschitz barrier). λ starts at {@code deq.lambda}.
 */
final class MolMethod implements LearnedMethod<MolModel> {
    /** How H_θ's Lipschitz constant is controlled. */
    enum Variant {
        /** Not at all ({@code deq}). */
        UNCONSTRAINED,
        /** Spectral normalisation of every layer ({@code mol-sn}). */
        SPECTRAL_NORMALISED,
        /** A barrier on a local Lipschitz estimate in the loss ({@code mol-lr}). */
        LIPSCHITZ_PENALTY
    }

    /** Relative change to which the two solves of the uniqueness check run (float32 reaches it). */
    static final double UNIQUENESS_TOLERANCE = 1e-5;

    private final Variant variant;

    MolMethod(Variant variant) {
        this.variant = variant;
    }

    /** CG steps per data-consistency solve; MOL-LR also its Lipschitz barrier settings. */
    @Override
    public Set<String> specKeys() {
        return variant == Variant.LIPSCHITZ_PENALTY ? Set.of("cg_iterations", "lipschitz") : Set.of("cg_iterations");
    }

    @Override
    public Set<Problem> problems() {
        return LearnedTraining.PROBLEMS;
    }

    @Override
    public boolean divergenceIsResult() {
        return variant == Variant.UNCONSTRAINED;
    }

    @Override
    public MolModel create(MethodSpec m, TaskSpec task, long seed) {
        ConvNet net = LearnedTraining.network(m, task, seed, variant == Variant.SPECTRAL_NORMALISED);
        MolModel model = new MolModel(net, m.deq().lambda(), m.deq(), m.cgIterations(),
                variant == Variant.LIPSCHITZ_PENALTY ? m.lipschitz() : null, seed, LearnedTraining.spatialShape(task));
        model.useTraining(m.training());
        return model;
    }

    @Override
    public ConvNet network(MolModel model) {
        return model.network();
    }

    @Override
    public double lambda(MolModel model) {
        return model.lambda();
    }

    @Override
    public Map<String, Object> settings(MolModel model, MethodSpec m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("deq", m.deq());
        s.put("init_cg_iterations", m.cgIterations());
        return s;
    }

    @Override
    public Reconstructor.Differentiable restore(ConvNet network, JsonNode model, MethodSpec m) {
        return new DeqReconstructor(network, model.get("lambda").asDouble(), m.deq(), m.cgIterations());
    }

    /**
     * Fixed points from the CG-SENSE start and from zero (the uniqueness check), forward
     * iterations and convergence per example, the local Lipschitz estimate of H at the fixed points
     * and the layer-norm bound.
     */
    @Override
    public LearnedTraining.Evaluation evaluate(MolModel model, ExampleSet test, MethodSpec m) {
        DeqReconstructor r = model.reconstructor();
        DeqSpec d = m.deq();
        DeqSpec tightSpec = new DeqSpec(d.alpha(), d.lambda(), Math.max(4 * d.maxIterations(), 500),
                Math.min(d.tolerance(), UNIQUENESS_TOLERANCE), d.solver(), d.andersonMemory(), d.backward(),
                d.backwardMaxIterations(), d.backwardTolerance(), d.cgIterations());
        DeqReconstructor tight = new DeqReconstructor(r.network(), r.lambda(), tightSpec, m.cgIterations());
        List<INDArray> parts = new ArrayList<>();
        List<Double> iterations = new ArrayList<>();
        List<Double> residuals = new ArrayList<>();
        double maxGap = 0;
        double sumGap = 0;
        int uniquenessUnconverged = 0;
        boolean converged = true;
        double localMax = 0;
        for (int[] idx : LearnedTraining.batches(test.size())) {
            ExampleSet.Batch b = test.batch(idx);
            DeqReconstructor.Forward f = r.forward(b.measurements(), b.operator(), null);
            parts.add(f.x());
            converged &= f.solve().converged();
            for (int i = 0; i < idx.length; i++) {
                iterations.add((double) f.solve().exampleIterations()[i]);
                residuals.add(f.solve().exampleResiduals()[i]);
            }
            // the uniqueness check solves tightly from both starts, so that the gap measures
            // whether the fixed point is unique, not the training tolerance
            DeqReconstructor.Forward a = tight.forward(b.measurements(), b.operator(), null);
            DeqReconstructor.Forward g = tight.forward(b.measurements(), b.operator(), f.x().ulike().assign(0));
            uniquenessUnconverged += (a.solve().converged() ? 0 : 1) + (g.solve().converged() ? 0 : 1);
            double[] gap = LocalLipschitzEstimate.norms(a.x().sub(g.x()));
            double[] norm = LocalLipschitzEstimate.norms(a.x());
            for (int i = 0; i < gap.length; i++) {
                double rel = gap[i] / Math.max(norm[i], 1e-30);
                maxGap = Math.max(maxGap, rel);
                sumGap += rel;
            }
            LocalLipschitzEstimate.Estimate e = LocalLipschitzEstimate.estimate(r.network(), f.x(),
                    m.lipschitz() == null ? org.deqbench.spec.LipschitzSpec.DEFAULT : m.lipschitz(), 7);
            localMax = Math.max(localMax, e.max());
        }
        double bound = MolModel.layerNormBound(r.network(), LearnedTraining.spatialShape(test.task()));
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("lambda", r.lambda());
        info.put("alpha", m.deq().alpha());
        info.put("forward_iterations", iterations.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        info.put("forward_iterations_max", iterations.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        info.put("converged", converged);
        info.put("forward_residual", residuals.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        info.put("forward_tolerance", m.deq().tolerance());
        info.put("forward_max_iterations", m.deq().maxIterations());
        info.put("fixed_point_uniqueness_gap", maxGap);
        info.put("fixed_point_uniqueness_gap_mean", sumGap / test.size());
        info.put("fixed_point_uniqueness_starts", "CG-SENSE (mu = 1/lambda) and zero, each solved to relative change "
                + tightSpec.tolerance() + " within " + tightSpec.maxIterations() + " iterations; gap = max_i ||x_a - x_b|| / ||x_a||");
        info.put("fixed_point_uniqueness_unconverged_solves", uniquenessUnconverged);
        info.put("lipschitz_bound_h", bound);
        info.put("lipschitz_bound_h_kind", variant == Variant.SPECTRAL_NORMALISED
                ? "certificate: product of per-layer DFT norm bounds (spectral normalisation keeps it below its target)"
                : "certificate: product of per-layer DFT norm bounds (not enforced in training)");
        info.put("lipschitz_local_estimate_h", localMax);
        if (bound < 1) {
            double margin = 1 - bound;
            info.put("monotonicity_margin", margin);
            // F = I − H: x − αF(x) is (1 − αm)-Lipschitz for 0 < α ≤ 1 (certify.MonotoneBound)
            info.put("alpha_contraction_limit", 2 / (2 - margin));
            info.put("alpha_within_contraction_limit", m.deq().alpha() > 0 && m.deq().alpha() < 2 / (2 - margin));
        }
        info.put("parameters", r.network().parameterCount() + 1);
        return new LearnedTraining.Evaluation(Nd4j.concat(0, parts.toArray(INDArray[]::new)), info);
    }

}
