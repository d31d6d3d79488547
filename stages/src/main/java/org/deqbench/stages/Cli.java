package org.deqbench.stages;

import java.nio.file.Path;
import org.deqbench.spec.SpecLoader;
import picocli.CommandLine;

/** Shared exit codes and defaults of the deqbench executables. */
final class Cli {
    static final int EXIT_OK = 0;
    /** A node or the pipeline failed while running. */
    static final int EXIT_FAILED = 1;
    /** The spec or the arguments are unusable; nothing was run or written. */
    static final int EXIT_BAD_INPUT = 2;
    /** The run directory or the node is in use by another process; nothing was run or written. */
    static final int EXIT_BUSY = 3;
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

    static int execute(Object command, String[] args) {
        SameDiffChatterFilter.install();
        return new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpWidth(HELP_WIDTH)
                .execute(args);
    }
}
