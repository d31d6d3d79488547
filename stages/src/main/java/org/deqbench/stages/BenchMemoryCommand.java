package org.deqbench.stages;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.deqbench.spec.SpecException;
import org.deqbench.stage.MemoryScaling;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code deqbench bench memory --spec experiments/memory-scaling.yaml}: training memory against
 * iterations ({@link MemoryScaling}), every configuration in a fresh JVM; writes
 * {@code <run-dir>/bench/memory.json}, which the report plots. With {@code --single} it is that
 * child: it measures one configuration and writes its row.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
        header = "Measures peak training memory and time per step against the number of iterations.",
        description = {"Peak training memory and time per step against iterations: MoDL unrolled K times vs the "
                + "deep-equilibrium methods with K forward/backward iterations, each configuration in its own JVM.",
                "Writes <run-dir>/bench/memory.json (rows: method, iterations, peak_bytes, peak_heap_bytes, "
                        + "peak_offheap_bytes, seconds_per_step); its simulated data go to <run-dir>/bench/memory-data, so "
                        + "it may share an experiment's run directory (whose report then plots it)."})
public final class BenchMemoryCommand implements Callable<Integer>, UsesNd4j {
    @Mixin
    BenchOptions.Spec spec = new BenchOptions.Spec("experiments/memory-scaling.yaml");

    @Mixin
    BenchOptions.RunDir runDir = new BenchOptions.RunDir(BenchOptions.PER_EXPERIMENT);

    @Mixin
    BenchOptions.Iterations iterations = new BenchOptions.Iterations();

    @Mixin
    BenchOptions.Steps steps = new BenchOptions.Steps(3);

    @Option(names = "--single", hidden = true, paramLabel = "METHOD:K",
            description = "Child mode: measure this configuration only and write its row to --out.")
    String single;

    @Option(names = "--out", hidden = true, paramLabel = "FILE", description = "Child mode: the row file.")
    Path out;

    /** Entry point of the child processes (and usable on its own). */
    public static void main(String[] args) {
        System.exit(Cli.execute(new BenchMemoryCommand(), args));
    }

    @Override
    public Integer call() {
        try {
            Path dir = runDir.resolve(spec.file);
            int steps = this.steps.count;
            if (steps < 2) {
                System.err.println("error: --steps must be at least 2 (the first step is excluded from the peak)");
                return Cli.EXIT_BAD_INPUT;
            }
            if (single != null) {
                if (out == null) {
                    System.err.println("error: --single needs --out");
                    return Cli.EXIT_BAD_INPUT;
                }
                MemoryScaling.measure(spec.file, dir, MemoryScaling.Config.parse(single), steps, out);
                return Cli.EXIT_OK;
            }
            Path file = MemoryScaling.run(spec.file, dir, iterations.orDefault(), steps,
                    (config, rowFile) -> childCommand(spec.file, dir, steps, config, rowFile), System.out);
            System.out.println("memory table: " + file.toAbsolutePath());
            return Cli.EXIT_OK;
        } catch (SpecException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_BAD_INPUT;
        } catch (Exception e) {
            System.err.println("error: memory benchmark failed: " + e);
            e.printStackTrace();
            return Cli.EXIT_FAILED;
        }
    }

    /** The command line of a child JVM that measures {@code config} and writes its row to {@code rowFile}. */
    static List<String> childCommand(Path spec, Path dir, int steps, MemoryScaling.Config config, Path rowFile) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String opts = System.getenv().getOrDefault("DEQBENCH_JAVA_OPTS", RunCommand.DEFAULT_JAVA_OPTS);
        for (String o : opts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchMemoryCommand.class.getName());
        cmd.addAll(List.of("--spec", spec.toString(), "--run-dir", dir.toString(), "--steps", String.valueOf(steps),
                "--single", config.key(), "--out", rowFile.toString()));
        return cmd;
    }
}
