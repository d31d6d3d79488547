package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.LipschitzSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every learned method's training step lowers the loss on a fixed tiny batch. */
class LearnedMethodsTest {
    static MethodSpec spec(MethodKind kind) {
        NetworkSpec net = new NetworkSpec(2, 4, 3, "relu", 0.9);
        DeqSpec deq = new DeqSpec(0.5, 20.0, 60, 1e-4, "anderson", 4, "implicit", 60, 1e-4, 5);
        return new MethodSpec(kind.key(), kind, List.of(0.05), 5, 2, net, kind.equilibrium() ? deq : null, null,
                kind == MethodKind.MOL_LR ? new LipschitzSpec(null, null, 1e-3, 3, null) : null);
    }

    @ParameterizedTest
    @EnumSource(value = MethodKind.class, names = {"MODL", "DEQ", "MOL_SN", "MOL_LR"})
    void trainingStepsLowerTheLossOnAFixedBatch(MethodKind kind) {
        ExampleSet data = TinyMri.examples(2, 12, 4);
        ExampleSet.Batch batch = data.all();
        TrainableModel<ExampleSet.Batch> model = LearnedTraining.create(spec(kind), data.task(), 5);
        Adam adam = new Adam();
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 6; step++) {
            TrainableModel.StepResult r = model.lossAndGradients(batch, step);
            for (Map.Entry<String, INDArray> e : r.gradients().entrySet()) {
                assertTrue(!e.getValue().isNaN().any() && !e.getValue().isInfinite().any(), kind + " " + e.getKey());
            }
            if (step == 0) {
                first = r.loss();
            }
            last = r.loss();
            adam.update(model.parameters(), r.gradients(), 3e-3);
            model.parametersChanged();
        }
        // six Adam steps of 3e-3 from a CG-SENSE-like start: a clear decrease, not a particular value
        assertTrue(last < 0.97 * first, kind + ": loss " + first + " -> " + last);
    }

    /** MethodKind.runnable(), which the spec validator trusts, matches what training can build. */
    @ParameterizedTest
    @EnumSource(value = MethodKind.class, mode = EnumSource.Mode.EXCLUDE, names = {"ZERO_FILLED", "CG_SENSE", "TV"})
    void learnedKindsAreBuiltExactlyWhenMarkedRunnable(MethodKind kind) {
        assertTrue(kind.learned(), kind + ": the linear baselines are built by LinearBaselines, not here");
        if (kind.runnable()) {
            assertNotNull(LearnedTraining.create(spec(kind), TinyMri.task(8), 5));
        } else {
            assertThrows(IllegalArgumentException.class, () -> LearnedTraining.create(spec(kind), TinyMri.task(8), 5));
        }
    }
}
