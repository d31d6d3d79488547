package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.Noise;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.LipschitzSpec;
import org.deqbench.spec.MethodCatalog;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.NetworkSpec;
import org.deqbench.spec.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The method contract, run over every registered method on a tiny instance of every problem it
 * supports: learned methods lower their loss on a fixed batch, every method reconstructs, a saved
 * and reloaded model reconstructs identically, and the measurement vector-Jacobian product agrees
 * with finite differences. A method is tested here the moment it is registered.
 */
class MethodContractTest {
    static final int SIZE = 8;

    static MethodSpec spec(MethodKind kind) {
        // a smooth activation, so that the finite differences of the VJP check see no kinks
        NetworkSpec net = new NetworkSpec(2, 4, 3, "softplus", 0.9);
        // pnp and red run their plain iteration to the cap when it does not settle to 1e-5 in float32:
        // 30 steps exercise the same code as 100 at a third of the time
        int cap = kind == MethodKind.PNP || kind == MethodKind.RED ? 30 : 100;
        // DEQ-GD contracts at about 1 − η/λ on A's null space, so its solve's error is the stopping
        // change times 1/(η/λ): λ = 2 keeps that near the tolerance, as MOL's iteration does at λ = 20
        boolean gd = kind == MethodKind.DEQ_GD || kind == MethodKind.RERG;
        DeqSpec deq = new DeqSpec(0.5, gd ? 2.0 : 20.0, cap, 1e-5, "anderson", 4, "implicit", 100, 1e-5, 5);
        return new MethodSpec(kind.key(), kind, List.of(0.05), 20, 2, net, kind.equilibrium() ? deq : null, null,
                kind == MethodKind.MOL_LR ? new LipschitzSpec(null, null, 1e-3, 3, null) : null);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        MethodRegistry registry = new MethodRegistry();
        for (MethodKind kind : registry.runnable()) {
            for (Problem p : Problem.values()) {
                if (registry.supports(kind, p)) {
                    out.add(Arguments.of(kind, p));
                }
            }
        }
        return out.stream();
    }

    @Test
    void theValidatorSeesTheRegistry() {
        assertEquals(new MethodRegistry().runnable(), MethodCatalog.installed().runnable());
        assertTrue(MethodCatalog.installed().supports(MethodKind.MODL, Problem.DEBLUR));
        assertTrue(MethodCatalog.installed().supports(MethodKind.ELDER, Problem.DEBLUR), "elder runs on 2D problems");
        assertTrue(!MethodCatalog.installed().supports(MethodKind.ELDER, Problem.MRI_3D),
                "elder's explicit-gradient graph is 2D only");
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void methodHonoursTheContract(MethodKind kind, Problem problem, @TempDir Path dir) {
        ExampleSet data = TinyProblems.examples(problem, 2, SIZE, 7);
        ExampleSet.Batch batch = data.all();
        Method method = MethodRegistry.of(kind);
        MethodSpec spec = spec(kind);
        Reconstructor f;
        if (method instanceof LearnedMethod<?> learned) {
            f = trainSaveAndReload(learned, spec, data, dir);
        } else {
            // a baseline chooses its parameters by a score: here the PSNR on the same tiny batch
            f = ((BaselineMethod) method).choose(spec, r -> meanPsnr(r, batch), new LinkedHashMap<>());
        }
        INDArray x = f.reconstruct(batch.measurements(), batch.operator());
        assertEquals(java.util.Arrays.toString(batch.groundTruth().shape()), java.util.Arrays.toString(x.shape()));
        assertTrue(!x.isNaN().any() && !x.isInfinite().any(), "finite reconstruction");
        if (f instanceof Reconstructor.Differentiable d) {
            checkMeasurementVjp(d, batch);
        }
    }

    /** Adam steps on a fixed batch lower the loss; the saved and reloaded model reconstructs identically. */
    private static <M extends TrainableModel<ExampleSet.Batch>> Reconstructor trainSaveAndReload(
            LearnedMethod<M> method, MethodSpec spec, ExampleSet data, Path dir) {
        ExampleSet.Batch batch = data.all();
        M model = method.create(spec, data.task(), 5);
        Adam adam = new Adam();
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 6; step++) {
            TrainableModel.StepResult r = model.lossAndGradients(batch, step);
            for (Map.Entry<String, INDArray> e : r.gradients().entrySet()) {
                assertTrue(!e.getValue().isNaN().any() && !e.getValue().isInfinite().any(), "finite gradient " + e.getKey());
            }
            first = step == 0 ? r.loss() : first;
            last = r.loss();
            adam.update(model.parameters(), r.gradients(), 3e-3);
            model.parametersChanged();
        }
        // six Adam steps of 3e-3 from a CG-SENSE-like start: a clear decrease, not a particular value
        assertTrue(last < 0.98 * first, "loss " + first + " -> " + last);

        Map<String, Object> desc = new LinkedHashMap<>(method.settings(model, spec));
        desc.put("lambda", method.lambda(model));
        JsonNode json = new ObjectMapper().valueToTree(desc);
        Reconstructor.Differentiable live = method.restore(method.network(model), json, spec);
        method.network(model).save(dir.resolve("network"));
        Reconstructor.Differentiable loaded = method.restore(ConvNet.load(dir.resolve("network")), json, spec);
        INDArray a = live.reconstruct(batch.measurements(), batch.operator());
        INDArray b = loaded.reconstruct(batch.measurements(), batch.operator());
        assertEquals(0.0, a.sub(b).norm2Number().doubleValue(), 0.0, "reloaded model reconstructs identically");
        return loaded;
    }

    /**
     * ⟨∂f/∂b^T v, d⟩ against the central difference (⟨f(b + h d), v⟩ − ⟨f(b − h d), v⟩) / 2h along
     * a random direction d of norm 1e-2 ‖b‖. The networks are float32 and smooth, and the equilibrium
     * and CG solves stop at relative change 1e-5, so the quotient carries errors near 1e-3 relative;
     * 3 % separates a correct gradient from a wrong one (a missing term or a transposed operator is off
     * by O(1)). The exact checks in float64 are the methods' own tests (ModlTest, DeqReconstructorTest).
     */
    private static void checkMeasurementVjp(Reconstructor.Differentiable f, ExampleSet.Batch batch) {
        Random rng = new Random(11);
        INDArray b = batch.measurements();
        INDArray v = Noise.gaussian(batch.groundTruth().shape(), 1.0, rng, b.dataType());
        INDArray d = Noise.gaussian(b.shape(), 1.0, rng, b.dataType());
        d.muli(1e-2 * b.norm2Number().doubleValue() / d.norm2Number().doubleValue());
        double plus = inner(f.reconstruct(b.add(d), batch.operator()), v);
        double minus = inner(f.reconstruct(b.sub(d), batch.operator()), v);
        double fd = (plus - minus) / 2;
        double vjp = inner(f.measurementVjp(b, batch.operator(), v), d);
        assertEquals(fd, vjp, 0.03 * Math.abs(fd) + 1e-6, "measurement VJP along a random direction");
    }

    private static double meanPsnr(Reconstructor r, ExampleSet.Batch batch) {
        INDArray x = r.reconstruct(batch.measurements().castTo(DataType.DOUBLE), batch.operator());
        return org.deqbench.metrics.ImageScores.perImage(batch.groundTruth(), x).stream()
                .mapToDouble(org.deqbench.metrics.ImageScores::psnr).average().orElseThrow();
    }

    private static double inner(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }
}
