package org.deqbench.stages;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deqbench.track.MlflowSync;
import org.deqbench.track.SyncReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code deqbench mlflow}: MLflow tracking of a run directory after the fact. */
@Command(name = "mlflow", mixinStandardHelpOptions = true,
        header = "Tracks a run directory in MLflow; see its sync subcommand.",
        description = "MLflow tracking of a run directory.",
        subcommands = {MlflowCommand.Sync.class})
public final class MlflowCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "expected a subcommand: sync");
    }

    /** {@code deqbench mlflow sync <run-dir>}. */
    @Command(name = "sync", mixinStandardHelpOptions = true,
        header = "Delivers the run log's records the MLflow server has not acknowledged yet.",
            description = {
                "Delivers to the MLflow server everything in RUN_DIR/runlog that it has not acknowledged:"
                        + " runs, params, metrics, tags, artifacts and final statuses, exactly once.",
                "Use it after a run during which the server was unreachable. Running it again, or after an"
                        + " interrupted sync, sends nothing twice. Nodes still running are skipped.",
                "Reads MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/_PASSWORD."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:everything in the run log is in MLflow",
                "1:something is left (server unreachable, or nodes still running): run it again later",
                "2:MLflow is not configured, or RUN_DIR has no run log"})
    static final class Sync implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run directory, e.g. runs/quickstart.")
        Path runDir;

        private final Map<String, String> env;

        Sync() {
            this(System.getenv());
        }

        /** @param env the environment to read (tests pass their own) */
        Sync(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                SyncReport report = MlflowSync.sync(runDir, env, out);
                return report.complete() ? 0 : 1;
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("deqbench mlflow sync: " + e.getMessage());
                return 2;
            }
        }
    }
}
