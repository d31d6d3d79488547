package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What ELDER's evaluation writes into {@code method.json} on a tiny instance of each 2D problem
 * (float32, as the train stage runs it): the objective of every test image at every iteration,
 * non-increasing on every image, with the counts the report reads agreeing with the traces.
 */
class ElderMethodTest {

    @ParameterizedTest
    @EnumSource(value = Problem.class, names = {"DENOISE", "INPAINT", "SUPER_RESOLUTION", "SINGLE_COIL_MRI"})
    void objectiveDecreasesMonotonicallyOnEveryTestImage(Problem problem) {
        ExampleSet test = TinyProblems.examples(problem, 5, 8, 3);
        MethodSpec spec = MethodContractTest.spec(MethodKind.ELDER);
        ElderMethod method = new ElderMethod();
        ElderModel model = method.create(spec, test.task(), 9);
        LearnedTraining.Evaluation eval = method.evaluate(model, test, spec);
        Map<String, Object> info = eval.info();
        assertEquals(5, info.get("objective_images"));
        assertEquals(5, info.get("objective_monotone_images"), "monotone on every image");
        assertTrue((double) info.get("objective_largest_increase") <= 0, "largest increase " + info.get("objective_largest_increase"));
        List<?> rows = (List<?>) info.get("objective_per_iteration");
        assertEquals(5, rows.size());
        for (Object r : rows) {
            Map<?, ?> row = (Map<?, ?>) r;
            double[] trace = (double[]) row.get("objective");
            assertEquals(((Number) row.get("iterations")).intValue() + 1, trace.length);
            assertTrue(trace.length >= 2 && trace[trace.length - 1] < trace[0], "the descent moved: " + trace.length);
            for (int k = 1; k < trace.length; k++) {
                assertTrue(trace[k] <= trace[k - 1], "image " + row.get("index") + " step " + k);
            }
        }
    }
}
