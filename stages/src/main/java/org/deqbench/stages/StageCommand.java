package org.deqbench.stages;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.store.NodeFileException;
import org.deqbench.plan.RunLock;
import org.deqbench.plan.Stage;
import org.deqbench.spec.SpecException;
import picocli.CommandLine.Option;

/**
 * Common arguments of the five stage executables: the spec, the run directory, and the node's task
 * and method. Runs the node through {@link NodeExecutor} (atomic output, tracker, skip when up to
 * date) and maps failures to exit codes with a one-line message.
 */
abstract class StageCommand implements Callable<Integer>, UsesNd4j {
    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "Experiment spec (YAML).")
    Path spec;

    @Option(names = "--run-dir", paramLabel = "DIR",
            description = "Run directory (default: runs/<experiment name>).")
    Path runDir;

    @Option(names = "--force", description = "Rerun even if the node's output is up to date.")
    boolean force;

    @Option(names = "--ignore-code-version",
            description = "Count outputs made by other code as up to date (spec-only caching); also "
                    + "set by DEQBENCH_IGNORE_CODE_VERSION=1.")
    boolean ignoreCodeVersion;

    abstract Stage stage();

    String task() {
        return null;
    }

    String method() {
        return null;
    }

    @Override
    public Integer call() {
        try {
            Path dir = runDir != null ? runDir : Cli.defaultRunDir(spec);
            NodeExecutor.Outcome o = NodeExecutor.run(stage(), spec, dir, task(), method(), force,
                    ignoreCodeVersion || "1".equals(System.getenv(Cli.IGNORE_CODE_VERSION_ENV)));
            System.out.println(o.skipped()
                    ? o.node().id() + " is up to date (" + o.dir() + "), skipped"
                    : o.node().id() + " written to " + o.dir());
            return 0;
        } catch (SpecException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_BAD_INPUT;
        } catch (RunLock.BusyException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_BUSY;
        } catch (NodeFileException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_FAILED;
        } catch (Exception | Error e) {
            System.err.println("error: " + nodeId() + " failed: " + Cli.oneLine(e));
            if (Cli.debug()) {
                e.printStackTrace();
            }
            return Cli.isBadInput(e) ? Cli.EXIT_BAD_INPUT : Cli.EXIT_FAILED;
        }
    }

    private String nodeId() {
        return stage().name() + (task() == null ? "" : "/" + task()) + (method() == null ? "" : "/" + method());
    }

    /** Stages that run per task. */
    abstract static class PerTask extends StageCommand {
        @Option(names = "--task", required = true, paramLabel = "NAME", description = "Task name from the spec.")
        String task;

        @Override
        String task() {
            return task;
        }
    }

    /** Stages that run per task and method. */
    abstract static class PerMethod extends PerTask {
        @Option(names = "--method", required = true, paramLabel = "NAME", description = "Method name from the spec.")
        String method;

        @Override
        String method() {
            return method;
        }
    }
}
