package org.deqbench.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deqbench.nn.GemmTimer;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference benchmark's training sizes, resized specs and medians over repeated processes. */
class ReferenceBenchmarkTest {

    @Test
    void trainSizeParsesSizesAndSpec() {
        assertEquals(new ReferenceBenchmark.TrainSize(256, 232, 12), ReferenceBenchmark.TrainSize.parse("256x232x12"));
        assertEquals(new ReferenceBenchmark.TrainSize(64, 48, 1), ReferenceBenchmark.TrainSize.parse(" 64X48X1 "));
        assertTrue(ReferenceBenchmark.TrainSize.parse("spec").isSpec());
        assertFalse(ReferenceBenchmark.TrainSize.parse("8x8x2").isSpec());
        assertEquals("256x232x12", ReferenceBenchmark.TrainSize.parse("256x232x12").label());
    }

    @Test
    void badTrainSizesSayWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReferenceBenchmark.TrainSize.parse("256x232"));
        assertTrue(e.getMessage().contains("--train-size") && e.getMessage().contains("HEIGHTxWIDTHxCOILS")
                && e.getMessage().contains("'256x232'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReferenceBenchmark.TrainSize.parse("256x232xtwelve"));
        assertTrue(e.getMessage().contains("coils 'twelve' is not a whole number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReferenceBenchmark.TrainSize.parse("0x232x12"));
        assertTrue(e.getMessage().contains("height must be at least 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReferenceBenchmark.TrainSize.parse("256x232x12x1"));
        assertTrue(e.getMessage().contains("found '256x232x12x1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReferenceBenchmark.TrainSize.parse(""));
    }

    @Test
    void resizedSpecChangesOnlyTheFirstTasksSizeAndCoils(@TempDir Path dir) throws Exception {
        Path spec = Path.of("..", "experiments", "reference-bench.yaml");
        ExperimentSpec original = SpecLoader.load(spec);
        Path out = ReferenceBenchmark.resized(spec, new ReferenceBenchmark.TrainSize(256, 232, 12),
                dir.resolve("sub").resolve("spec.yaml"));
        ExperimentSpec resized = SpecLoader.load(out);
        TaskSpec t = resized.tasks().get(0);
        assertEquals(List.of(256, 232), t.size());
        assertEquals(12, t.mri().coils());
        TaskSpec o = original.tasks().get(0);
        assertEquals(o.mri().acceleration(), t.mri().acceleration());
        assertEquals(o.mri().mask(), t.mri().mask());
        assertEquals(o.train(), t.train());
        assertEquals(o.noise(), t.noise());
        assertEquals(original.seed(), resized.seed());
        assertEquals(original.methods(), resized.methods());
        assertEquals(original.name() + "-256x232x12", resized.name());
    }

    @Test
    void resizingANonMriSpecIsRefused(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("denoise.yaml");
        Files.writeString(spec, "name: d\ntasks:\n  - name: t\n    problem: denoise\nmethods: []\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReferenceBenchmark.resized(spec, new ReferenceBenchmark.TrainSize(8, 8, 2), dir.resolve("o.yaml")));
        assertTrue(e.getMessage().contains("multi-coil MRI task") && e.getMessage().contains("'denoise'"),
                e.getMessage());
    }

    @Test
    void repeatedProcessesGiveMediansAndKeepEveryValue() {
        Map<String, Object> m = ReferenceBenchmark.medians(List.of(
                Map.of("seconds_per_step", 3.0, "peak_above_baseline_bytes", 100, "peak_bytes", 300, "baseline_bytes", 200),
                Map.of("seconds_per_step", 1.0, "peak_above_baseline_bytes", 400, "peak_bytes", 600, "baseline_bytes", 200),
                Map.of("seconds_per_step", 2.0, "peak_above_baseline_bytes", 120, "peak_bytes", 330, "baseline_bytes", 210)));
        assertEquals(2.0, (Double) m.get("seconds_per_step"), 0.0);
        assertEquals(120L, m.get("peak_above_baseline_bytes"));
        assertEquals(330L, m.get("peak_bytes"));
        assertEquals(List.of(100L, 400L, 120L), m.get("peak_above_baseline_bytes_runs"));
        Map<String, Object> one = ReferenceBenchmark.medians(List.of(Map.of("seconds_per_step", 3.0,
                "peak_above_baseline_bytes", 100, "step_peak_bytes", List.of(1, 2))));
        assertFalse(one.containsKey("seconds_per_step_runs"));
        assertEquals(List.of(1, 2), one.get("step_peak_bytes"));
    }

    @Test
    void settingsRefuseZeroRepeatsAndDefaultToTheSpecSize() {
        ReferenceBenchmark.Settings s = new ReferenceBenchmark.Settings(Path.of("m"), null, Path.of("s.yaml"), Path.of("r"),
                List.of(1), 3, 8, 8, 2, List.of(new long[] {1, 2, 8, 8}), 1, List.of(), 1, 1024);
        assertEquals(List.of(ReferenceBenchmark.TrainSize.SPEC), s.trainSizes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReferenceBenchmark.Settings(
                Path.of("m"), null, Path.of("s.yaml"), Path.of("r"), List.of(1), 3, 8, 8, 2, List.of(new long[] {1, 2, 8, 8}), 1,
                List.of(), 0, 1024));
        assertTrue(e.getMessage().contains("--repeats"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new ReferenceBenchmark.Settings(
                Path.of("m"), null, Path.of("s.yaml"), Path.of("r"), List.of(1), 3, 8, 8, 2, List.of(), 1, List.of(), 1, 1024));
        assertTrue(none.getMessage().contains("--kernel-shape"), none.getMessage());
    }
    @Test
    void gemmShareIsTheMedianOfPerRoundRatios() {
        // 2 GFLOP forward; gemm n = 1000 (2 GFLOP) timed in the same rounds
        double flops = 2e9;
        double[] fwd = {1.0, 0.5, 4.0};
        double[] vjp = {3.0, 6.0, 2.0};
        double[] gemm = {0.5, 0.25, 0.5};
        double[] f = ReferenceBenchmark.throughput(flops, fwd, GemmTimer.flops(1000), gemm);
        // kernel rates 2, 4, 0.5 GFLOP/s; gemm rates 4, 8, 4; shares 0.5, 0.5, 0.125
        assertEquals(2.0, f[0], 1e-12);
        assertEquals(4.0, f[1], 1e-12);
        assertEquals(0.5, f[2], 1e-12);
        Map<String, Object> r = ReferenceBenchmark.rates(flops, fwd, vjp, GemmTimer.flops(1000), gemm);
        // forward + VJP counts 3x the forward flops: 6 GFLOP in 3, 6, 2 s -> 2, 1, 3 GFLOP/s; shares 0.5, 0.125, 0.75
        assertEquals(2.0, (Double) r.get("forward_vjp_gflops"), 1e-12);
        assertEquals(0.5, (Double) r.get("forward_vjp_share_of_gemm"), 1e-12);
        assertEquals(0.5, (Double) r.get("forward_share_of_gemm"), 1e-12);
        assertEquals(4.0, (Double) r.get("gemm_gflops"), 1e-12);
        // the share pairs rounds: a slow gemm round and a slow kernel round together keep the share
        double[] paired = ReferenceBenchmark.throughput(flops, new double[] {1.0, 10.0}, 2e9, new double[] {1.0, 10.0});
        assertEquals(1.0, paired[2], 1e-12);
        assertEquals(2e9, GemmTimer.flops(1000), 0.0);
    }

    @Test
    void gemmShareRefusesUnpairedOrNonPositiveTimes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReferenceBenchmark.throughput(1, new double[] {1, 2}, 1, new double[] {1}));
        assertTrue(e.getMessage().contains("2 and 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ReferenceBenchmark.throughput(1, new double[] {1, 0}, 1, new double[] {1, 1}));
        assertTrue(e.getMessage().contains("round 2"), e.getMessage());
    }

    @Test
    void gemmSectionSummarisesBothSides() {
        Map<String, Object> torchKernel = Map.of("official", Map.of("gemm_seconds_rounds", List.of(0.2, 0.4, 0.1)),
                "deqbench", Map.of("gemm_seconds_rounds", List.of(0.5, 0.25, 1.0)));
        Map<String, Object> g = ReferenceBenchmark.gemmSummary(1000, List.of(torchKernel));
        assertEquals(2e9, (Double) g.get("flops"), 0.0);
        @SuppressWarnings("unchecked")
        Map<String, Object> ours = (Map<String, Object>) g.get("deqbench");
        assertEquals(0.5, (Double) ours.get("seconds"), 0.0);
        assertEquals(4.0, (Double) ours.get("gflops"), 1e-12);
        @SuppressWarnings("unchecked")
        Map<String, Object> torch = (Map<String, Object>) g.get("official");
        assertEquals(10.0, (Double) torch.get("gflops"), 1e-12);
        java.util.HashMap<String, Object> noTorch = new java.util.HashMap<>();
        noTorch.put("official", null);
        noTorch.put("deqbench", Map.of("gemm_seconds_rounds", List.of(0.5)));
        assertEquals(null, ReferenceBenchmark.gemmSummary(1000, List.of(noTorch)).get("official"));
    }

    @Test
    void settingsRefuseABadGemmSize() {
        for (int n : new int[] {0, -3, ReferenceBenchmark.Settings.MAX_GEMM_SIZE + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReferenceBenchmark.Settings(
                    Path.of("m"), null, Path.of("s.yaml"), Path.of("r"), List.of(1), 3, 8, 8, 2,
                    List.of(new long[] {1, 2, 8, 8}), 1, List.of(), 1, n));
            assertTrue(e.getMessage().startsWith("--gemm-size must be between 1 and") && e.getMessage().endsWith("found " + n),
                    e.getMessage());
        }
    }

    /** The official code runs with glibc's defaults: the launchers' allocator settings are not passed on. */
    @Test
    void theOfficialCodeRunsWithoutDeqbenchsAllocatorSettings() {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("MALLOC_ARENA_MAX", "1",
                "MALLOC_MMAP_THRESHOLD_", "268435456", "MALLOC_TRIM_THRESHOLD_", "1073741824", "PATH", "/usr/bin"));
        ReferenceBenchmark.officialEnvironment(env);
        assertEquals(java.util.Map.of("PATH", "/usr/bin", "OMP_WAIT_POLICY", "PASSIVE"), env);
    }
}
