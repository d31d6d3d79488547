package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deqbench.spec.ErrorBoundSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One λ per task ({@code training.lambda_per_task}): every task's λ starts at the shared one, a step
 * on one task's batch computes exactly the shared model's gradients and hands the λ gradient to that
 * task's λ alone, and the optimiser then moves only that λ.
 */
class NetworkAndLambdaTest {
    private static MethodSpec rerg() {
        MethodSpec c = MethodContractTest.spec(MethodKind.RERG);
        return new MethodSpec(c.name(), MethodKind.RERG, c.lambdas(), c.cgIterations(), c.iterations(), c.network(),
                c.deq(), c.training(), null, new ErrorBoundSpec(0.1, null));
    }

    @Test
    void aStepOnOneTasksBatchMovesThatTasksLambdaOnly() {
        ExampleSet data = TinyProblems.examples(Problem.INPAINT, 2, 8, 3);
        ExampleSet.Batch batch = data.all();
        String task = batch.task();
        MethodSpec m = rerg();
        DeqGdMethod method = (DeqGdMethod) MethodRegistry.of(MethodKind.RERG);
        DeqGdModel shared = method.create(m, data.task(), 11);
        DeqGdModel separate = method.create(m, data.task(), 11);
        assertNull(separate.taskLambdas(), "λ is shared until separated");
        separate.separateLambdas(List.of("other", task));
        assertEquals(Map.of("other", shared.lambda(), task, shared.lambda()), separate.taskLambdas());
        assertTrue(!separate.parameters().containsKey(NetworkAndLambda.LOG_LAMBDA));

        TrainableModel.StepResult a = shared.lossAndGradients(batch, 0);
        TrainableModel.StepResult b = separate.lossAndGradients(batch, 0);
        assertEquals(a.loss(), b.loss(), 1e-12, "the batch's task uses the λ the shared model has");
        for (Map.Entry<String, INDArray> e : a.gradients().entrySet()) {
            String key = e.getKey().equals(NetworkAndLambda.LOG_LAMBDA) ? NetworkAndLambda.taskLambdaKey(task)
                    : e.getKey();
            // the same float32 computation twice: equal up to accumulation order
            double diff = e.getValue().sub(b.gradients().get(key)).norm2Number().doubleValue();
            assertTrue(diff <= 1e-6 * (1 + e.getValue().norm2Number().doubleValue()), key + " differs by " + diff);
        }
        assertEquals(0.0, b.gradients().get(NetworkAndLambda.taskLambdaKey("other")).getDouble(0), "no gradient for"
                + " a task the batch is not from");
        assertTrue(Math.abs(b.gradients().get(NetworkAndLambda.taskLambdaKey(task)).getDouble(0)) > 0,
                "the batch's task's λ has a gradient");

        new Adam().update(separate.parameters(), b.gradients(), 1e-2);
        separate.parametersChanged();
        Map<String, Double> after = separate.taskLambdas();
        assertEquals(shared.lambda(), after.get("other"), 0.0, "the other task's λ did not move");
        assertTrue(Math.abs(after.get(task) - shared.lambda()) > 1e-4 * shared.lambda(), "moved: " + after);
        separate.useTask(task);
        assertEquals(after.get(task), separate.lambda(), 0.0);
        separate.useTask("other");
        assertEquals(after.get("other"), separate.lambda(), 0.0);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> separate.useTask("c"));
        assertTrue(unknown.getMessage().contains("no λ for task 'c'"), unknown.getMessage());
    }

    @Test
    void modelsWithoutAPerTaskLambdaRefuseIt() {
        TrainableModel<ExampleSet.Batch> plain = new TrainableModel<>() {
            @Override
            public Map<String, INDArray> parameters() {
                return Map.of();
            }

            @Override
            public StepResult lossAndGradients(ExampleSet.Batch batch, long step) {
                return null;
            }

            @Override
            public double[] validationScores(ExampleSet.Batch batch) {
                return new double[0];
            }
        };
        assertThrows(UnsupportedOperationException.class, () -> plain.separateLambdas(List.of("a", "b")));
    }

    /**
     * {@code training.lambda_learning_rate} reaches log λ's Adam step on DEQ-GD and ELDER, and every
     * task's log λ once λ is per task.
     */
    @Test
    void lambdaLearningRateScalesEveryLogLambda() {
        for (MethodKind kind : List.of(MethodKind.DEQ_GD, MethodKind.ELDER)) {
            MethodSpec c = MethodContractTest.spec(kind);
            org.deqbench.spec.TrainingSpec t = new org.deqbench.spec.TrainingSpec(2, 2, 1e-3, null, null, null, null, 0.05);
            MethodSpec m = new MethodSpec(c.name(), kind, c.lambdas(), c.cgIterations(), c.iterations(), c.network(),
                    c.deq(), t, null, null);
            @SuppressWarnings("unchecked")
            LearnedMethod<TrainableModel<ExampleSet.Batch>> method =
                    (LearnedMethod<TrainableModel<ExampleSet.Batch>>) MethodRegistry.of(kind);
            TrainableModel<ExampleSet.Batch> model = method.create(m, TinyProblems.task(Problem.DENOISE, 8), 3);
            assertEquals(Map.of(NetworkAndLambda.LOG_LAMBDA, 50.0), model.learningRateScales(), kind.key());
            model.separateLambdas(List.of("a", "b"));
            assertEquals(Map.of(NetworkAndLambda.taskLambdaKey("a"), 50.0, NetworkAndLambda.taskLambdaKey("b"), 50.0),
                    model.learningRateScales(), kind.key());
        }
    }
}
