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
    /** The run directory or the node is in use by another process; nothing was run or written. */
    static final int EXIT_BUSY = 4;
    /** Set to "1" for node processes of a run started with --ignore-code-version. */
    static final String IGNORE_CODE_VERSION_ENV = "DEQBENCH_IGNORE_CODE_VERSION";

    private Cli() {
    }

    /** {@code runs/<experiment name>} relative to the working directory. */
    static Path defaultRunDir(Path spec) {
        return Path.of("runs", SpecLoader.load(spec).name());
    }

    /** Width of --help; the descriptions are wrapped by hand to fit it. */
    static final int HELP_WIDTH = 100;

    /** Set to "1" to print stack traces (what {@code --debug} does; node processes inherit it). */
    static final String DEBUG_ENV = "DEQBENCH_DEBUG";

    private static volatile boolean debug = "1".equals(System.getenv(DEBUG_ENV));

    /** Whether stack traces are wanted ({@code --debug} or {@value #DEBUG_ENV}=1). */
    static boolean debug() {
        return debug;
    }

    /**
     * Runs a command. {@code --debug} anywhere before {@code --} turns on stack traces; without it
     * every failure is one line on stderr: what failed and why.
     */
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
        java.util.List<String> rest = new java.util.ArrayList<>();
        boolean options = true;
        for (String a : args) {
            if (options && a.equals("--")) {
                options = false;
            }
            if (options && a.equals("--debug")) {
                debug = true;
            } else {
                rest.add(a);
            }
        }
        CommandLine cli = new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpWidth(HELP_WIDTH)
                .setExecutionExceptionHandler((ex, cl, parsed) -> {
                    cl.getErr().println("error: " + cl.getCommandName() + ": " + oneLine(ex));
                    if (debug) {
                        ex.printStackTrace(cl.getErr());
                    }
                    cl.getErr().flush();
                    return isBadInput(ex) ? EXIT_BAD_INPUT : EXIT_FAILED;
                });
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
        return cli.execute(rest.toArray(String[]::new));
    }

    /** Whether a failure is the input's fault (a spec, a data file, a model) rather than the run's. */
    static boolean isBadInput(Throwable e) {
        return e instanceof org.deqbench.spec.SpecException || e instanceof IllegalArgumentException
                || e instanceof org.deqbench.plan.FiniteValues.NonFiniteValueException;
    }

    /** The first line of the message, with the exception's kind when the message alone would be unclear. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String first = m.strip().lines().findFirst().orElse("");
        boolean ours = t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t instanceof org.deqbench.spec.SpecException || t instanceof RuntimeException
                && t.getClass().getName().startsWith("org.deqbench");
        return ours ? first : t.getClass().getSimpleName() + ": " + first;
    }
}
