package org.deqbench.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.Modl;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MoDL ({@link Modl}): K unrolled iterations with exact data-consistency gradients, λ learned from
 * the method's first {@code lambdas} entry (0.05, the MoDL code's value, when none).
 */
final class ModlMethod implements LearnedMethod<ModlModel> {
    /** MoDL's initial λ when the method lists no {@code lambdas} (MoDL code). */
    static final double INITIAL_LAMBDA = 0.05;

    @Override
    public Set<String> specKeys() {
        return Set.of("iterations", "cg_iterations");
    }

    @Override
    public Set<Problem> problems() {
        return LearnedTraining.PROBLEMS;
    }

    @Override
    public ModlModel create(MethodSpec m, TaskSpec task, long seed) {
        ConvNet net = LearnedTraining.network(m, task, seed, false);
        double lambda = m.lambdas().isEmpty() ? INITIAL_LAMBDA : m.lambdas().get(0);
        return new ModlModel(new Modl(net, Modl.logLambdaOf(lambda, net.dataType()), m.iterations(), m.cgIterations()));
    }

    @Override
    public ConvNet network(ModlModel model) {
        return model.modl().network();
    }

    @Override
    public double lambda(ModlModel model) {
        return model.modl().lambda();
    }

    @Override
    public LearnedTraining.Evaluation evaluate(ModlModel model, ExampleSet test, MethodSpec method) {
        Modl modl = model.modl();
        List<INDArray> parts = new ArrayList<>();
        double residual = 0;
        for (int[] idx : LearnedTraining.batches(test.size())) {
            ExampleSet.Batch b = test.batch(idx);
            Modl.Forward f = modl.forward(b.measurements(), b.operator());
            residual = Math.max(residual, f.cgResidual());
            parts.add(f.x());
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("lambda", modl.lambda());
        info.put("iterations", modl.iterations());
        info.put("cg_iterations", modl.cgIterations());
        info.put("cg_residual_max", residual);
        info.put("gradient", "exact data-consistency gradient (CG on the cotangent)");
        info.put("parameters", modl.network().parameterCount() + 1);
        return new LearnedTraining.Evaluation(Nd4j.concat(0, parts.toArray(INDArray[]::new)), info);
    }

    @Override
    public Map<String, Object> settings(ModlModel model, MethodSpec m) {
        return Map.of("iterations", m.iterations(), "cg_iterations", m.cgIterations());
    }

    @Override
    public Reconstructor.Differentiable restore(ConvNet network, JsonNode model, MethodSpec m) {
        return new Modl(network, Modl.logLambdaOf(model.get("lambda").asDouble(), network.dataType()),
                model.path("iterations").asInt(m.iterations()), model.path("cg_iterations").asInt(m.cgIterations()));
    }
}
