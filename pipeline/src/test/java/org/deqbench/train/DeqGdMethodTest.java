package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deqbench.recon.DeqGdReconstructor;
import org.deqbench.spec.ErrorBoundSpec;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.SpecException;
import org.deqbench.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What DEQ-GD and RERG add beyond the method contract: the bound-trained variant (selected by
 * {@code error_bound.training: bound}) minimises the bound's numerator without a fixed-point solve,
 * RERG's loss is the fixed point's MSE plus the weighted numerator, the test split reports the
 * bound next to the true error per image, and the spec selects the variants with precise errors.
 */
class DeqGdMethodTest {
    @TempDir
    Path dir;

    private static MethodSpec spec(MethodKind kind, ErrorBoundSpec bound) {
        MethodSpec c = MethodContractTest.spec(kind);
        return new MethodSpec(c.name(), kind, c.lambdas(), c.cgIterations(), c.iterations(), c.network(), c.deq(),
                c.training(), null, bound);
    }

    /** Six Adam steps lower the numerator; its value is the loss, and no fixed point is solved. */
    @Test
    void boundTrainingLowersTheNumeratorWithoutAFixedPointSolve() {
        ExampleSet data = TinyProblems.examples(Problem.DEBLUR, 2, 8, 7);
        ExampleSet.Batch batch = data.all();
        MethodSpec m = spec(MethodKind.DEQ_GD, new ErrorBoundSpec(null, "bound"));
        DeqGdMethod method = (DeqGdMethod) MethodRegistry.of(MethodKind.DEQ_GD);
        assertEquals(DeqGdModel.Loss.BOUND, method.loss(m));
        DeqGdModel model = method.create(m, data.task(), 5);
        Adam adam = new Adam();
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 6; step++) {
            TrainableModel.StepResult r = model.lossAndGradients(batch, step);
            assertFalse(r.diagnostics().containsKey("forward_iterations"), "no fixed-point solve in bound training");
            DeqGdReconstructor rec = model.reconstructor();
            // float32 network: the same numbers recomputed, relative 1e-6
            assertEquals(rec.residualLoss(rec.data(batch.measurements(), batch.operator()), batch.groundTruth()).value(),
                    r.loss(), 1e-6 * r.loss(), "loss = ||T(x_gt) - x_gt||^2 / n");
            first = step == 0 ? r.loss() : first;
            last = r.loss();
            adam.update(model.parameters(), r.gradients(), 3e-3);
            model.parametersChanged();
        }
        assertTrue(last < 0.98 * first, "numerator " + first + " -> " + last);
    }

    /**
     * With {@code denominator: true} the loss is log(numerator) + 2·barrier(r̂) (recomputed from the
     * step's diagnostics, relative 1e-9 of the double arithmetic on float32 inputs), still without a
     * fixed-point solve, and ten Adam steps lower it (the log of the squared bound).
     */
    @Test
    void boundTrainingWithTheDenominatorLowersTheLogOfTheWholeBound() {
        ExampleSet data = TinyProblems.examples(Problem.INPAINT, 2, 8, 7);
        ExampleSet.Batch batch = data.all();
        MethodSpec m = spec(MethodKind.DEQ_GD, new ErrorBoundSpec(null, "bound", true));
        DeqGdMethod method = (DeqGdMethod) MethodRegistry.of(MethodKind.DEQ_GD);
        assertEquals(DeqGdModel.Loss.BOUND_RATIO, method.loss(m));
        DeqGdModel model = method.create(m, data.task(), 5);
        Adam adam = new Adam();
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 10; step++) {
            TrainableModel.StepResult r = model.lossAndGradients(batch, step);
            assertFalse(r.diagnostics().containsKey("forward_iterations"), "no fixed-point solve in bound training");
            double a = r.diagnostics().get("bound_numerator");
            double l = r.diagnostics().get("lipschitz_estimate");
            LipschitzBarrier barrier = new LipschitzBarrier(1.0, DeqGdModel.DENOMINATOR_CUTOFF, 2.0);
            assertEquals(Math.log(a) + barrier.penalty(l), r.loss(), 1e-9 * Math.abs(r.loss()), "log a + 2 barrier(r)");
            first = step == 0 ? r.loss() : first;
            last = r.loss();
            adam.update(model.parameters(), r.gradients(), 3e-3);
            model.parametersChanged();
        }
        assertTrue(last < first - 0.05, "log bound " + first + " -> " + last);
    }

    /** RERG's loss is MSE(x*, x_gt) + w·numerator, with both parts in the step's diagnostics. */
    @Test
    void rergAddsTheWeightedNumeratorToTheFixedPointError() {
        ExampleSet data = TinyProblems.examples(Problem.INPAINT, 2, 8, 7);
        MethodSpec m = spec(MethodKind.RERG, new ErrorBoundSpec(0.5, null));
        DeqGdModel model = ((DeqGdMethod) MethodRegistry.of(MethodKind.RERG)).create(m, data.task(), 5);
        assertEquals(DeqGdModel.Loss.REGULARISED, model.loss());
        TrainableModel.StepResult r = model.lossAndGradients(data.all(), 0);
        Map<String, Double> d = r.diagnostics();
        assertEquals(d.get("mse") + 0.5 * d.get("bound_numerator"), r.loss(), 1e-12 * r.loss());
        assertTrue(d.get("bound_numerator") > 0 && d.get("forward_converged") == 1.0, d.toString());
    }

    /**
     * method.json's error_bounds: one row per test image whose true error is ‖x* − x_gt‖ of the
     * returned reconstruction and whose bound is residual / (1 − L̂_T) (null when L̂_T ≥ 1).
     */
    @Test
    void evaluationReportsTheBoundBesideTheTrueErrorPerImage() {
        ExampleSet data = TinyProblems.examples(Problem.DENOISE, 3, 8, 7);
        MethodSpec m = spec(MethodKind.DEQ_GD, null);
        DeqGdMethod method = (DeqGdMethod) MethodRegistry.of(MethodKind.DEQ_GD);
        DeqGdModel model = method.create(m, data.task(), 5);
        LearnedTraining.Evaluation e = method.evaluate(model, data, m);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) e.info().get("error_bounds");
        assertEquals(3, rows.size());
        INDArray gt = data.all().groundTruth();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> row = rows.get(i);
            double error = e.reconstructions().get(NDArrayIndex.point(i)).castTo(DataType.DOUBLE)
                    .sub(gt.get(NDArrayIndex.point(i)).castTo(DataType.DOUBLE))
                    .norm2Number().doubleValue();
            assertEquals(error, (Double) row.get("true_error"), 1e-9 * error + 1e-12, "image " + i);
            double l = (Double) row.get("lipschitz_estimate");
            if (l < 1) {
                assertEquals((Double) row.get("residual_norm") / (1 - l), (Double) row.get("bound"), 1e-12);
            } else {
                assertNull(row.get("bound"));
            }
        }
        assertTrue(((String) e.info().get("error_bound_lipschitz_kind")).startsWith("local estimate, not a certificate"));
    }

    @Test
    void specSelectsTheVariantsAndLeavesOtherMethodsUnchanged() throws IOException {
        String base = """
                name: gd
                tasks:
                  - {name: d, problem: denoise, size: [8, 8], train: 2, test: 1}
                methods:
                  - %s
                """;
        ExperimentSpec s = SpecLoader.load(write(base.formatted(
                "{name: b, kind: deq-gd, deq: {alpha: 0.5, lambda: 2}, error_bound: {training: bound}}")));
        assertTrue(s.method("b").errorBound().boundTraining());
        ExperimentSpec plain = SpecLoader.load(write(base.formatted("{name: p, kind: deq-gd, deq: {alpha: 0.5, lambda: 2}}")));
        assertFalse(SpecLoader.canonicalJson(plain.method("p")).contains("error_bound"), "absent unless given");
        assertFalse(SpecLoader.canonicalJson(plain.task("d").source()).contains("order"), "absent unless given");

        String m1 = message(base.formatted("{name: b, kind: deq-gd, error_bound: {training: fixed-point}}"));
        assertTrue(m1.contains("methods[0].error_bound.training: expected 'bound' for deq-gd"), m1);
        String m2 = message(base.formatted("{name: r, kind: rerg, error_bound: {training: bound}}"));
        assertTrue(m2.contains("methods[0].error_bound.training: expected 'fixed-point' for rerg"), m2);
        String m3 = message(base.formatted("{name: r, kind: rerg, error_bound: {training: sometimes}}"));
        assertTrue(m3.contains("methods[0].error_bound.training: expected one of [fixed-point, bound], found 'sometimes'"), m3);
        String m4 = message(base.formatted("{name: r, kind: rerg, deq: {alpha: 2.5}}"));
        assertTrue(m4.contains("methods[0].deq.alpha: expected a gradient step η in (0, 2) for rerg, found 2.5"), m4);
        String m5 = message(base.formatted("{name: r, kind: mol-lr, error_bound: {weight: 1}}"));
        assertTrue(m5.contains("methods[0].error_bound: expected no error_bound section for method kind mol-lr"), m5);
        String m6 = message(base.formatted("{name: r, kind: rerg, error_bound: {denominator: true}}"));
        assertTrue(m6.contains("methods[0].error_bound.denominator: expected false unless error_bound.training is"
                + " 'bound'"), m6);
        assertFalse(s.method("b").errorBound().trainsDenominator(), "numerator alone unless asked");
        assertFalse(SpecLoader.canonicalJson(s.method("b")).contains("denominator"), "absent unless given, so that"
                + " existing nodes keep their spec hash");
        ExperimentSpec whole = SpecLoader.load(write(base.formatted(
                "{name: b, kind: deq-gd, error_bound: {training: bound, denominator: true}}")));
        assertEquals(DeqGdModel.Loss.BOUND_RATIO,
                ((DeqGdMethod) MethodRegistry.of(MethodKind.DEQ_GD)).loss(whole.method("b")));
    }

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("spec.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private String message(String yaml) throws IOException {
        Path f = write(yaml);
        try {
            SpecLoader.load(f);
        } catch (SpecException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }
}
