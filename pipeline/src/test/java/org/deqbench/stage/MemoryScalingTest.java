package org.deqbench.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.plan.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryScalingTest {
    /** One tiny MRI task and MoDL: enough for the benchmark's bookkeeping, which these tests are about. */
    private static final String TINY_SPEC = """
            name: memory-tiny
            seed: 3
            tasks:
              - name: mri-4x
                problem: mri
                size: [8, 8]
                train: 4
                test: 1
            methods:
              - name: modl
                kind: modl
                training: {batch_size: 1}
            """;

    @Test
    void modlUnrollsKIterationsAndEquilibriumMethodsRunExactlyKForwardAndBackward() {
        MethodSpec modl = new MethodSpec("m", MethodKind.MODL, null, 10, 5, null, null, null, null);
        assertEquals(7, MemoryScaling.atIterations(modl, 7).iterations());
        assertEquals(10, MemoryScaling.atIterations(modl, 7).cgIterations());
        MethodSpec lr = new MethodSpec("l", MethodKind.MOL_LR, null, null, null, null,
                new DeqSpec(0.5, 100.0, 500, 1e-4, "plain", null, null, 400, 1e-4, 5), null, null);
        DeqSpec d = MemoryScaling.atIterations(lr, 3).deq();
        assertEquals(3, d.maxIterations());
        assertEquals(3, d.backwardMaxIterations());
        assertEquals(0.0, d.tolerance());
        assertEquals(0.0, d.backwardTolerance());
        assertEquals(0.5, d.alpha());
        assertEquals(5, d.cgIterations());
        MethodSpec cg = new MethodSpec("c", MethodKind.CG_SENSE, null, null, null, null, null, null, null);
        assertThrows(IllegalArgumentException.class, () -> MemoryScaling.atIterations(cg, 3));
        // the method's other sections survive: a bound-trained deq-gd is benchmarked as bound-trained
        MethodSpec gd = new MethodSpec("g", MethodKind.DEQ_GD, null, null, null, null,
                new DeqSpec(0.5, 5.0, 100, 1e-4, "plain", null, null, 100, 1e-4, 5), null, null,
                new org.deqbench.spec.ErrorBoundSpec(0.2, "bound"), null);
        assertEquals(gd.errorBound(), MemoryScaling.atIterations(gd, 3).errorBound());
    }

    @Test
    void configsRoundTripThroughTheChildArgument() {
        MemoryScaling.Config c = MemoryScaling.Config.parse("mol-lr:10");
        assertEquals(new MemoryScaling.Config("mol-lr", 10), c);
        assertEquals("mol-lr:10", c.key());
        assertThrows(IllegalArgumentException.class, () -> MemoryScaling.Config.parse("modl"));
    }

    @Test
    void ratiosCompareEveryMethodWithTheLeanestAtTheLargestK() {
        List<Map<String, Object>> rows = List.of(
                Map.of("method", "modl", "iterations", 10, "peak_bytes", 600L, "peak_above_baseline_bytes", 500L),
                Map.of("method", "mol-lr", "iterations", 10, "peak_bytes", 200L, "peak_above_baseline_bytes", 100L),
                Map.of("method", "modl", "iterations", 1, "peak_bytes", 150L, "peak_above_baseline_bytes", 50L));
        Map<String, Object> r = MemoryScaling.ratios(rows, 10);
        assertEquals("mol-lr", r.get("relative_to"));
        @SuppressWarnings("unchecked")
        Map<String, Double> modl = (Map<String, Double>) r.get("modl");
        assertEquals(3.0, modl.get("peak"));
        assertEquals(5.0, modl.get("peak_above_baseline"));
    }

    @Test
    void benchmarkIntoAnExperimentsRunDirectoryLeavesItsNodesAlone(@TempDir Path tmp) throws Exception {
        // an experiment's run directory with its own simulate node for a task of the same name
        Path run = tmp.resolve("runs/quickstart");
        Path theirs = Files.createDirectories(run.resolve("simulate/mri-4x"));
        Files.writeString(theirs.resolve(RunStore.MARKER), "{\"node\": \"simulate/mri-4x\", \"hash\": \"theirs\"}");
        Path spec = tmp.resolve("memory.yaml");
        Files.writeString(spec, TINY_SPEC);
        // the child writes a fixed row: this test is about where data and results go
        MemoryScaling.ChildCommand child = (config, out) -> List.of("sh", "-c",
                "printf '{\"method\":\"" + config.method() + "\",\"iterations\":" + config.iterations()
                        + ",\"peak_bytes\":2,\"peak_above_baseline_bytes\":1,\"seconds_per_step\":0.5}' > '" + out + "'");
        Path file = MemoryScaling.run(spec, run, List.of(1, 2), 2, child, new PrintStream(OutputStream.nullOutputStream()));

        assertEquals(run.resolve(MemoryScaling.FILE), file);
        assertEquals("{\"node\": \"simulate/mri-4x\", \"hash\": \"theirs\"}",
                Files.readString(theirs.resolve(RunStore.MARKER)), "the experiment's simulate node must be untouched");
        assertTrue(Files.isRegularFile(run.resolve(MemoryScaling.DATA_DIR).resolve("simulate/mri-4x").resolve(RunStore.MARKER)),
                "the benchmark simulates into its own store");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) RunStore.JSON.readValue(file.toFile(), Map.class).get("rows");
        assertEquals(2, rows.size());
        assertEquals(2, rows.get(1).get("iterations"));
    }

    @Test
    void aChildThatRefusesItsConfigurationIsABadInputNotACrash(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("memory.yaml");
        Files.writeString(spec, TINY_SPEC);
        MemoryScaling.ChildCommand refuses = (config, out) -> List.of("sh", "-c", "exit 2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryScaling.run(spec,
                tmp.resolve("run"), List.of(1), 2, refuses, new PrintStream(OutputStream.nullOutputStream())));
        assertTrue(e.getMessage().contains("modl:1") && e.getMessage().contains("exit code 2"), e.getMessage());
        MemoryScaling.ChildCommand crashes = (config, out) -> List.of("sh", "-c", "exit 1");
        assertThrows(IllegalStateException.class, () -> MemoryScaling.run(spec, tmp.resolve("run2"), List.of(1), 2,
                crashes, new PrintStream(OutputStream.nullOutputStream())));
    }
}
