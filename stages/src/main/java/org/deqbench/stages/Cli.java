package org.deqbench.stages;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.deqbench.spec.SpecLoader;
import org.deqbench.stages.gpu.GpuPreflight;
import picocli.CommandLine;

/** Shared exit codes and defaults of the deqbench executables. */
final class Cli {
    static final int EXIT_OK = 0;
    /** A node or the pipeline failed while running. */
    static final int EXIT_FAILED = 1;
    /** The spec or the arguments are unusable; nothing was run or written. */
    static final int EXIT_BAD_INPUT = 2;
    /** The CUDA backend has no kernels for a visible GPU ({@link GpuPreflight}); nothing was run. */
    static final int EXIT_UNSUPPORTED_GPU = 3;

    private Cli() {
    }

    /** {@code runs/<experiment name>} relative to the working directory. */
    static Path defaultRunDir(Path spec) {
        return Path.of("runs", SpecLoader.load(spec).name());
    }

    /** Width of --help; the descriptions are wrapped by hand to fit it. */
    static final int HELP_WIDTH = 100;

    static int execute(Object command, String[] args) {
        return execute(command, args, GpuPreflight::forThisProcess);
    }

    /**
     * Parses and runs {@code command}; a subcommand marked {@link UsesNd4j} runs only after the GPU
     * preflight, which prints its notes on the error stream and, on a GPU the CUDA backend cannot
     * run on, one line and exit code {@link #EXIT_UNSUPPORTED_GPU} instead of running.
     */
    static int execute(Object command, String[] args, Supplier<GpuPreflight> preflight) {
        SameDiffChatterFilter.install();
        CommandLine cli = new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpWidth(HELP_WIDTH);
        cli.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            List<CommandLine> chain = parsed.asCommandLineList();
            CommandLine leaf = chain.get(chain.size() - 1);
            if (leaf.getCommand() instanceof UsesNd4j) {
                GpuPreflight.Outcome outcome = preflight.get().check();
                PrintWriter err = leaf.getErr();
                outcome.notes().forEach(err::println);
                if (outcome.refusal().isPresent()) {
                    err.println("error: " + outcome.refusal().get());
                    err.flush();
                    return EXIT_UNSUPPORTED_GPU;
                }
                err.flush();
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cli.execute(args);
    }
}
