package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.deqbench.stages.gpu.GpuPreflight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that computes runs the GPU preflight first and stops with exit code 3 and one line
 * on a GPU the CUDA backend cannot run; the others (help, plan, compare) never ask for it.
 */
class CliGpuPreflightTest {
    private static final String H100 = "0, NVIDIA H100 80GB HBM3, 9.0, 550.54.15\n";

    private final AtomicInteger checks = new AtomicInteger();

    /** A CUDA-backend preflight whose nvidia-smi reports {@code csv}; counts how often it is asked for. */
    private Supplier<GpuPreflight> cudaWith(String csv) {
        return () -> {
            checks.incrementAndGet();
            return new GpuPreflight(GpuPreflight.CUDA_BACKEND, Map.of(),
                    args -> new GpuPreflight.NvidiaSmi.Output(0, csv));
        };
    }

    private record Run(int code, String err) {
    }

    private static Run execute(Object command, Supplier<GpuPreflight> preflight, String... args) {
        PrintStream savedErr = System.err;
        PrintStream savedOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)); // usage texts
        try {
            return new Run(Cli.execute(command, args, preflight), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(savedErr);
            System.setOut(savedOut);
        }
    }

    @Test
    void everyComputingCommandIsRefusedOnAnH100BeforeItReadsItsArguments(@TempDir Path dir) throws Exception {
        String spec = dir.resolve("absent.yaml").toString();
        String runDir = dir.resolve("run").toString();
        List<String> node = List.of("--spec", spec, "--run-dir", runDir);
        Map<String, Object[]> commands = Map.of(
                "simulate", new Object[] {new SimulateMain(), "--task", "mri"},
                "train", new Object[] {new TrainMain(), "--task", "mri", "--method", "mol-lr"},
                "certify", new Object[] {new CertifyMain(), "--task", "mri", "--method", "mol-lr"},
                "attack", new Object[] {new AttackMain(), "--task", "mri", "--method", "mol-lr"},
                "report", new Object[] {new ReportMain()});
        for (var c : commands.entrySet()) {
            Object[] v = c.getValue();
            String[] args = java.util.stream.Stream.concat(node.stream(),
                    java.util.Arrays.stream(v, 1, v.length).map(Object::toString)).toArray(String[]::new);
            Run r = execute(v[0], cudaWith(H100), args);
            assertEquals(Cli.EXIT_UNSUPPORTED_GPU, r.code(), c.getKey() + ": " + r.err());
            assertEquals(1, r.err().lines().count(), c.getKey() + ": one line\n" + r.err());
            assertTrue(r.err().startsWith("error: GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0"), r.err());
        }
        for (String[] args : List.of(new String[] {"run", spec, "--run-dir", runDir},
                new String[] {"train", "--spec", spec, "--run-dir", runDir, "--task", "mri", "--method", "mol-lr"},
                new String[] {"bench", "kernels", "--out", dir.resolve("k.json").toString()},
                new String[] {"bench", "memory", "--spec", spec, "--run-dir", runDir})) {
            Run r = execute(new DeqbenchCli(), cudaWith(H100), args);
            assertEquals(Cli.EXIT_UNSUPPORTED_GPU, r.code(), String.join(" ", args) + ": " + r.err());
        }
        assertFalse(Files.exists(dir.resolve("run")), "nothing was written");
        assertFalse(Files.exists(dir.resolve("k.json")), "nothing was written");
        assertEquals(commands.size() + 4, checks.get());
    }

    @Test
    void helpPlanAndCompareDoNotAskForTheGpu(@TempDir Path dir) {
        Supplier<GpuPreflight> refuse = cudaWith(H100);
        assertEquals(0, execute(new DeqbenchCli(), refuse, "--help").code());
        assertEquals(0, execute(new DeqbenchCli(), refuse, "train", "--help").code());
        assertEquals(0, execute(new TrainMain(), refuse, "--help").code());
        String absent = dir.resolve("absent.yaml").toString();
        assertEquals(Cli.EXIT_BAD_INPUT, execute(new DeqbenchCli(), refuse, "plan", absent).code());
        assertEquals(2, execute(new DeqbenchCli(), refuse, "compare", absent, absent).code());
        assertEquals(0, checks.get(), "the preflight was asked for");
    }

    @Test
    void onASupportedGpuTheCommandRunsAfterOneNotePerGpu(@TempDir Path dir) {
        Run r = execute(new DeqbenchCli(), cudaWith("0, NVIDIA A100-SXM4-40GB, 8.0, 550.54.15\n"),
                "train", "--spec", dir.resolve("absent.yaml").toString(), "--task", "mri", "--method", "mol-lr");
        assertEquals(1, checks.get());
        assertTrue(r.err().startsWith("gpu: GPU 0 (NVIDIA A100-SXM4-40GB), compute capability 8.0"), r.err());
        // It ran: the missing spec is the stage's own error.
        assertTrue(r.code() != Cli.EXIT_UNSUPPORTED_GPU && r.err().lines().count() >= 2, r.err());
    }
}
