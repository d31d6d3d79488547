package org.deqbench.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.plan.RunStore;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.train.TrainedMethods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One RERG model trained on two tiny tasks ({@code train_on}) through the train stage: the shared
 * node trains once on both, each task's node holds that model and its own test results, and the
 * run store caches and invalidates the shared node like any other.
 */
class JointTrainingRunTest {
    private static final String SPEC = """
            name: joint
            seed: 5
            tasks:
              - {name: a, problem: denoise, size: [12, 12], train: 4, test: 2, noise: {sigma: 0.1}}
              - {name: b, problem: inpaint, size: [12, 12], train: 4, test: 2, noise: {sigma: 0.01}, missing_ratio: 0.5}
            methods:
              - name: g
                kind: rerg
                train_on: [a, b]
                network: {layers: 2, channels: 4}
                deq: {alpha: 0.8, lambda: 5, max_iterations: 20, tolerance: 1.0e-3, backward_max_iterations: 20, backward_tolerance: 1.0e-3}
                training: {epochs: 1, batch_size: 2, learning_rate: 1.0e-3}
            """;

    /**
     * Every other learned kind trains one model on both tasks too (RED choosing its λ per task),
     * and each task's node reloads to its stored reconstructions (float32: 1e-4 relative).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "{name: g, kind: deq-gd, train_on: [a, b], network: {layers: 2, channels: 4}, deq: {max_iterations: 10, backward_max_iterations: 10}, training: {epochs: 1, batch_size: 2}}",
        "{name: g, kind: elder, train_on: [a, b], network: {layers: 2, channels: 4, activation: elu}, deq: {max_iterations: 10, backward_max_iterations: 10}, training: {epochs: 1, batch_size: 2}}",
        "{name: g, kind: red, train_on: [a, b], lambdas: [0.1, 1.0], network: {layers: 2, channels: 4}, deq: {max_iterations: 10}, training: {epochs: 1, batch_size: 2}}",
        "{name: g, kind: pnp, train_on: [a, b], network: {layers: 2, channels: 4}, deq: {max_iterations: 10}, training: {epochs: 1, batch_size: 2}}",
        "{name: g, kind: modl, train_on: [a, b], iterations: 2, network: {layers: 2, channels: 4}, training: {epochs: 1, batch_size: 2}}",
        "{name: g, kind: elder, train_on: [a, b], network: {layers: 2, channels: 4, activation: elu}, deq: {max_iterations: 10, backward_max_iterations: 10}, training: {epochs: 1, batch_size: 2, lambda_per_task: true}}",
        "{name: g, kind: deq-gd, train_on: [a, b], network: {layers: 2, channels: 4}, deq: {max_iterations: 10, backward_max_iterations: 10}, training: {epochs: 1, batch_size: 2, lambda_per_task: true}}"})
    void everyLearnedKindTrainsJointly(String method, @TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC.substring(0, SPEC.indexOf("  - name: g")) + "  - " + method + "\n");
        Path dir = tmp.resolve("run");
        assertEquals(List.of(true, true, true, true, true), run(spec, dir));
        ExperimentSpec s = SpecLoader.load(spec);
        RunStore store = new RunStore(dir);
        for (String t : List.of("a", "b")) {
            assertReloadReproduces(store, s, t, dir.resolve("train").resolve(t).resolve("g"), method + ", task " + t);
        }
    }

    /** Runs simulate, the shared train node and both task nodes; whether each one ran (not skipped). */
    private static List<Boolean> run(Path spec, Path dir) throws Exception {
        List<Boolean> ran = new ArrayList<>();
        for (String t : List.of("a", "b")) {
            ran.add(!NodeExecutor.run(new SimulateStage(), spec, dir, t, null, false).skipped());
        }
        ran.add(!NodeExecutor.run(new TrainStage(), spec, dir, "joint", "g", false).skipped());
        for (String t : List.of("a", "b")) {
            ran.add(!NodeExecutor.run(new TrainStage(), spec, dir, t, "g", false).skipped());
        }
        return ran;
    }

    @Test
    void oneModelTrainsOnBothTasksAndEachTaskNodeReproducesItsResults(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path dir = tmp.resolve("run");
        assertEquals(List.of(true, true, true, true, true), run(spec, dir));

        ObjectMapper json = new ObjectMapper();
        Path joint = dir.resolve("train/joint/g");
        assertTrue(Files.isRegularFile(joint.resolve("model/network/network.json")), "the model is saved once, there");
        assertFalse(Files.exists(joint.resolve("reconstructions.npy")), "results are per task");
        // each task: 4 examples, 1 held out, 3 train in batches of 2 → 2 batches; one epoch = 4 steps
        JsonNode curves = json.readTree(joint.resolve("training.json").toFile());
        assertEquals(4, curves.get("steps").size());
        ExperimentSpec s = SpecLoader.load(spec);
        RunStore store = new RunStore(dir);
        for (String t : List.of("a", "b")) {
            Path node = dir.resolve("train").resolve(t).resolve("g");
            JsonNode method = json.readTree(node.resolve("method.json").toFile());
            assertEquals("[\"a\",\"b\"]", method.path("train_on").toString(), method.toString());
            assertArrayEquals(Files.readAllBytes(joint.resolve("tasks/" + t + "/reconstructions.npy")),
                    Files.readAllBytes(node.resolve("reconstructions.npy")));
            assertTrue(Files.isRegularFile(node.resolve("model/model.json")) && Files.isRegularFile(node.resolve("training.json")));
            assertReloadReproduces(store, s, t, node, t);
            double psnr = json.readTree(node.resolve("metrics.json").toFile()).path("mean").path("psnr").asDouble();
            assertTrue(Double.isFinite(psnr) && psnr > 5, t + ": test PSNR " + psnr);
        }

        assertEquals(List.of(false, false, false, false, false), run(spec, dir), "a second run does nothing");

        // new data for task b: b's simulation, the shared model and both task nodes are redone
        Files.writeString(spec, SPEC.replace("sigma: 0.01}", "sigma: 0.02}"));
        assertEquals(List.of(false, true, true, true, true), run(spec, dir));
    }

    /**
     * With {@code lambda_per_task} the shared node learns one λ per task (both move from the start
     * value, apart), records them, and each task's node is that task's λ with the shared network:
     * its {@code model.json} λ is its entry, and it reloads to its stored reconstructions.
     */
    @Test
    void aLambdaPerTaskIsLearnedRecordedAndUsedByEachTasksNode(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC.replace("training: {epochs: 1, batch_size: 2, learning_rate: 1.0e-3}",
                "training: {epochs: 2, batch_size: 2, learning_rate: 1.0e-3, lambda_learning_rate: 0.05,"
                        + " lambda_per_task: true}"));
        Path dir = tmp.resolve("run");
        assertEquals(List.of(true, true, true, true, true), run(spec, dir));
        ObjectMapper json = new ObjectMapper();
        ExperimentSpec s = SpecLoader.load(spec);
        RunStore store = new RunStore(dir);
        double start = s.method("g").deq().lambda();
        List<Double> lambdas = new ArrayList<>();
        for (String t : List.of("a", "b")) {
            Path node = dir.resolve("train").resolve(t).resolve("g");
            JsonNode method = json.readTree(node.resolve("method.json").toFile());
            double own = method.path("lambda_per_task").path(t).asDouble(Double.NaN);
            assertEquals(own, json.readTree(node.resolve("model/model.json").toFile()).path("lambda").asDouble(), 1e-12,
                    t + ": the task's model carries its own λ");
            assertEquals(own, method.path("lambda").asDouble(), 1e-12, t + ": evaluated with its own λ");
            assertTrue(Math.abs(Math.log(own / start)) > 0.01, t + ": λ moved from " + start + " to " + own);
            lambdas.add(own);
            assertReloadReproduces(store, s, t, node, t);
        }
        assertTrue(Math.abs(Math.log(lambdas.get(0) / lambdas.get(1))) > 1e-3, "the tasks' λ differ: " + lambdas);
    }

    /**
     * Task {@code t}'s node of method g, loaded as certify and attack load it, gives the stored test
     * reconstructions (float32 network: 1e-4 relative to the images' norm).
     */
    private static void assertReloadReproduces(RunStore store, ExperimentSpec s, String t, Path node, String what)
            throws Exception {
        Reconstructor r = TrainedMethods.load(store.input("train/" + t + "/g"), s.method("g"), s.task(t));
        SimulatedSplit test = SimulatedData.load(store.input("simulate/" + t), "test");
        INDArray again = r.reconstruct(test.measurements(), test.operator(0, test.size())).castTo(DataType.DOUBLE);
        INDArray stored = Nd4j.createFromNpyFile(node.resolve("reconstructions.npy").toFile()).castTo(DataType.DOUBLE);
        double rel = again.sub(stored).norm2Number().doubleValue() / stored.norm2Number().doubleValue();
        assertTrue(rel < 1e-4, what + ": reloaded model differs from the stored reconstructions by " + rel);
    }
}
