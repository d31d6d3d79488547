package org.deqbench.stages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.deqbench.reference.CheckpointFormatException;
import org.deqbench.reference.ReferenceBenchmark;
import org.deqbench.spec.SpecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code deqbench bench reference --mol-code <checkout>}: deqbench against the official MOL code
 * on identical data and settings ({@link ReferenceBenchmark}); writes
 * {@code <run-dir>/bench/reference.json}.
 */
@Command(name = "reference", mixinStandardHelpOptions = true,
        header = "Runs the official MOL code and deqbench on the same data, side by side.",
        description = {"deqbench against the official MOL code (run by python3 with torch through a driver shipped "
                + "with deqbench, importing the official modules from --mol-code), one after the other on identical data.",
                "Writes <run-dir>/bench/reference.json: time per training step, peak memory above baseline and inference "
                        + "time of MoDL and MOL-LR at each K and each --train-size (the spec's own: 64x64, 8 coils); the "
                        + "released checkpoint on a synthetic slice (relative difference, time, CNN evaluations, plain and "
                        + "Anderson); CNN kernel times, flop rates and shares of an n x n float32 gemm timed in the "
                        + "same run; and 'criteria', the acceptance criteria judged from this run's rows (also printed "
                        + "at the end).",
                "Peak above baseline, on both sides: the largest per-step peak RSS over the steps after the first minus "
                        + "the RSS before the first step, garbage collected before each; the step's peak is the kernel's "
                        + "high-water mark (VmHWM), reset at each step, where Linux allows it."})
public final class BenchReferenceCommand implements Callable<Integer> {
    @Option(names = "--mol-code", required = true, paramLabel = "<dir>",
            description = "Checkout of the official Monotone-Operator-Learning repository.")
    Path molCode;

    @Option(names = "--python", paramLabel = "<exe>",
            description = "Interpreter with torch (default: python3 on the PATH, then /usr/bin/python3).")
    String python;

    @Mixin
    BenchOptions.Spec spec = new BenchOptions.Spec("experiments/reference-bench.yaml");

    @Mixin
    BenchOptions.RunDir runDir = new BenchOptions.RunDir("runs/reference-bench");

    @Mixin
    BenchOptions.Iterations iterations = new BenchOptions.Iterations();

    @Mixin
    BenchOptions.Steps steps = new BenchOptions.Steps(3);

    @Option(names = "--slice", defaultValue = "256x232x12", paramLabel = "HxWxCOILS",
            description = "Synthetic slice for the released checkpoint (default: ${DEFAULT-VALUE}).")
    String slice;

    @Option(names = "--kernel-shape", defaultValue = "4x2x64x64,1x2x256x256", split = ",", paramLabel = "BxCxHxW",
            description = "CNN kernel input shapes, each timed on both sides in this run (default: ${DEFAULT-VALUE}).")
    List<String> kernelShapes;

    @Mixin
    BenchOptions.Rounds rounds = new BenchOptions.Rounds(3);

    @Option(names = "--gemm-size", paramLabel = "<n>",
            description = "n of the n x n float32 gemm timed beside the CNN kernels on both sides; each kernel's "
                    + "GFLOP/s is given as a share of it (default: ${DEFAULT-VALUE}).")
    int gemmSize = ReferenceBenchmark.Settings.DEFAULT_GEMM_SIZE;

    @Option(names = "--train-size", split = ",", paramLabel = "HxWxCOILS",
            description = "Sizes of the training and inference rows: 'spec' (the spec's first task, 64x64 with 8 coils "
                    + "in the default spec) or HEIGHTxWIDTHxCOILS, which sets that task's size and coils, e.g. "
                    + "spec,256x232x12 (default: spec).")
    List<String> trainSizes = new ArrayList<>();

    @Option(names = "--repeats", defaultValue = "1", paramLabel = "N",
            description = "Processes per training configuration and side; the rows give the medians and every "
                    + "process's figures (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public Integer call() {
        try {
            if (!Files.isDirectory(molCode) || !Files.isRegularFile(molCode.resolve("solvers.py"))) {
                System.err.println("error: --mol-code " + molCode + ": not a checkout of the official MOL code (no "
                        + "solvers.py)");
                return Cli.EXIT_BAD_INPUT;
            }
            int steps = this.steps.count;
            if (steps < 2) {
                System.err.println("error: --steps must be at least 2 (the first step is excluded)");
                return Cli.EXIT_BAD_INPUT;
            }
            ReferenceBenchmark.Settings s = settings();
            Path file = ReferenceBenchmark.run(s, (specFile, dir) -> (config, rowFile) -> BenchMemoryCommand.childCommand(
                    specFile, dir, steps, config, rowFile), System.out);
            System.out.println("reference table: " + file.toAbsolutePath());
            return Cli.EXIT_OK;
        } catch (SpecException | IllegalArgumentException | CheckpointFormatException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_BAD_INPUT;
        } catch (Exception e) {
            System.err.println("error: reference benchmark failed: " + e);
            e.printStackTrace();
            return Cli.EXIT_FAILED;
        }
    }

    /** The benchmark's settings from the options; bad sizes or counts throw with the option's name. */
    ReferenceBenchmark.Settings settings() {
        long[] sl = dims(slice, 3, "--slice");
        List<long[]> ks = new ArrayList<>();
        for (String k : kernelShapes) {
            ks.add(dims(k, 4, "--kernel-shape"));
        }
        List<ReferenceBenchmark.TrainSize> sizes = new ArrayList<>();
        for (String t : trainSizes) {
            ReferenceBenchmark.TrainSize size = ReferenceBenchmark.TrainSize.parse(t);
            if (sizes.contains(size)) {
                throw new IllegalArgumentException("--train-size: '" + t + "' is given twice");
            }
            sizes.add(size);
        }
        return new ReferenceBenchmark.Settings(molCode, python, spec.file, runDir.dir, iterations.orDefault(),
                steps.count, (int) sl[0], (int) sl[1], (int) sl[2], ks, rounds.count, sizes, repeats, gemmSize);
    }

    private static long[] dims(String text, int n, String option) {
        String[] parts = text.toLowerCase().split("x");
        if (parts.length != n) {
            throw new IllegalArgumentException(option + ": expected " + n + " sizes separated by x, found '" + text + "'");
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            try {
                out[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + parts[i] + "' is not a size in '" + text + "'");
            }
            if (out[i] < 1) {
                throw new IllegalArgumentException(option + ": sizes must be >= 1, found '" + text + "'");
            }
        }
        return out;
    }
}
