package org.deqbench.stages;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deqbench.stage.MemoryScaling;
import picocli.CommandLine.Option;

/**
 * The options the {@code bench} subcommands share, each declared once as a picocli mixin
 * ({@code @Mixin}). A command states its own default by the mixin's constructor: picocli takes an
 * option's initial value as its default and shows it for {@code ${DEFAULT-VALUE}} in the help.
 */
final class BenchOptions {
    /** Stands for a path under the run directory in a default shown by --help. */
    static final String RUN_DIR = "<run-dir>";
    /** Stands for the spec's own run directory, {@code runs/<experiment name>}, in a default. */
    static final String PER_EXPERIMENT = "runs/<experiment name>";

    private BenchOptions() {
    }

    /** {@code --spec FILE}: the experiment spec the benchmark trains or profiles. */
    static final class Spec {
        @Option(names = "--spec", paramLabel = "FILE", description = "Experiment spec (default: ${DEFAULT-VALUE}).")
        Path file;

        Spec(String defaultFile) {
            this.file = Path.of(defaultFile);
        }
    }

    /** {@code --run-dir DIR}: where simulated data, rows and the report go. */
    static final class RunDir {
        @Option(names = "--run-dir", paramLabel = "DIR",
                description = "Run directory; the benchmark writes under <DIR>/bench (default: ${DEFAULT-VALUE}).")
        Path dir;

        /** @param defaultDir a directory, or {@link #PER_EXPERIMENT} */
        RunDir(String defaultDir) {
            this.dir = Path.of(defaultDir);
        }

        /** The directory, with {@link #PER_EXPERIMENT} read from the spec. */
        Path resolve(Path spec) {
            return dir.equals(Path.of(PER_EXPERIMENT)) ? Cli.defaultRunDir(spec) : dir;
        }
    }

    /** {@code --iterations K[,K...]}: the unrolled or fixed-point iteration counts to compare. */
    static final class Iterations {
        @Option(names = "--iterations", split = ",", paramLabel = "K", description = "Iteration counts (default: 1,2,5,10).")
        List<Integer> counts = new ArrayList<>();

        /** The counts given, else {@link MemoryScaling#DEFAULT_ITERATIONS}. */
        List<Integer> orDefault() {
            return counts.isEmpty() ? MemoryScaling.DEFAULT_ITERATIONS : counts;
        }
    }

    /** {@code --steps N}: training steps per configuration, the first of which is not counted. */
    static final class Steps {
        @Option(names = "--steps", paramLabel = "N",
                description = "Training steps per configuration; the first is not counted (default: ${DEFAULT-VALUE}).")
        int count;

        Steps(int defaultCount) {
            this.count = defaultCount;
        }
    }

    /** {@code --rounds N}: timed repetitions of each measurement. */
    static final class Rounds {
        @Option(names = "--rounds", paramLabel = "N", description = "Timed rounds (default: ${DEFAULT-VALUE}).")
        int count;

        Rounds(int defaultCount) {
            this.count = defaultCount;
        }
    }

    /** {@code --out FILE}: the JSON report. */
    static final class Report {
        @Option(names = "--out", paramLabel = "<file.json>", description = "Report file (default: ${DEFAULT-VALUE}).")
        Path file;

        /** @param defaultFile a file, or one under the run directory as {@code <run-dir>/…} */
        Report(String defaultFile) {
            this.file = Path.of(defaultFile);
        }

        /** The file, with a leading {@link #RUN_DIR} replaced by {@code runDir}. */
        Path resolve(Path runDir) {
            return file.startsWith(RUN_DIR) ? runDir.resolve(Path.of(RUN_DIR).relativize(file)) : file;
        }
    }
}
