package org.deqbench.plan;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Executes a plan on this machine: every node in dependency order, each in its own JVM process
 * (exactly as a pod runs it), skipping nodes whose completion marker matches their plan hash.
 * Stops at the first failing node; rerunning resumes from there.
 */
public final class LocalRunner {
    /** Exit code of a process stopped by SIGINT (Ctrl-C): 128 + 2. */
    public static final int EXIT_SIGINT = 130;
    /** Exit code of a process stopped by SIGTERM: 128 + 15. */
    public static final int EXIT_SIGTERM = 143;

    /** Summary of a run. */
    public record Result(int executed, int skipped, String failedNode, int exitCode) {
        public boolean ok() {
            return failedNode == null;
        }

        /** The run stopped because a node was interrupted (Ctrl-C or SIGTERM), not because it failed. */
        public boolean interrupted() {
            return exitCode == EXIT_SIGINT || exitCode == EXIT_SIGTERM;
        }
    }

    private final Function<PlanNode, List<String>> command;
    private final Map<String, String> environment;
    private final PrintStream log;

    /**
     * @param command     the full command line (java, JVM options, class path, main class, args)
     *                    that runs one node
     * @param environment extra environment variables for every node process
     * @param log         where progress lines go
     */
    public LocalRunner(Function<PlanNode, List<String>> command, Map<String, String> environment, PrintStream log) {
        this.command = command;
        this.environment = environment;
        this.log = log;
    }

    /**
     * Runs the plan under the run directory's exclusive {@link RunLock}.
     *
     * @throws RunLock.BusyException when another process uses the run directory
     */
    public Result run(Plan plan, RunStore store, boolean force) throws IOException, InterruptedException {
        try (RunLock lock = RunLock.exclusive(store.root(), "deqbench run", log::println)) {
            return run(plan, store, force, lock);
        }
    }

    /** Runs the plan under {@code lock}, the run directory's exclusive lock held by the caller. */
    public Result run(Plan plan, RunStore store, boolean force, RunLock lock) throws IOException, InterruptedException {
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.putAll(lock.childEnvironment());
        for (Path p : store.cleanAbandoned()) {
            log.println("removed unfinished output " + store.root().relativize(p));
        }
        int executed = 0;
        int skipped = 0;
        int total = plan.nodes().size();
        int index = 0;
        for (PlanNode node : plan.nodes()) {
            index++;
            int width = Integer.toString(total).length();
            String prefix = String.format("[%" + width + "d/%d] %-40s", index, total, node.id());
            String stale = store.staleReason(node);
            if (!force && stale == null) {
                log.println(prefix + " up to date, skipped");
                skipped++;
                continue;
            }
            log.println(prefix + " running" + (force || store.marker(node.id()) == null ? "" : " (" + stale + ")"));
            long t0 = System.nanoTime();
            int code = runProcess(command.apply(node), env);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (code == EXIT_SIGINT || code == EXIT_SIGTERM) {
                log.printf("%s INTERRUPTED (%s after %.1f s); its unfinished output is removed on the next run. Rerun the same command"
                        + " to resume: the %d completed node%s will be skipped%n", prefix,
                        code == EXIT_SIGINT ? "Ctrl-C" : "terminated", seconds, executed + skipped,
                        executed + skipped == 1 ? "" : "s");
                return new Result(executed, skipped, node.id(), code);
            }
            if (code != 0 || !store.isComplete(node)) {
                log.printf("%s FAILED (exit code %d after %.1f s); fix the cause and rerun to resume%n",
                        prefix, code, seconds);
                return new Result(executed, skipped, node.id(), code == 0 ? 1 : code);
            }
            log.printf("%s done in %.1f s%n", prefix, seconds);
            executed++;
        }
        return new Result(executed, skipped, null, 0);
    }

    private int runProcess(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).inheritIO();
        pb.environment().putAll(env);
        Process p = pb.start();
        Thread killer = new Thread(() -> {
            // SIGTERM to the runner forwards to the node, which marks its tracker KILLED.
            p.destroy();
            try {
                p.waitFor();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            return p.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }
}
