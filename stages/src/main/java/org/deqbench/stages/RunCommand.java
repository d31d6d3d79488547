package org.deqbench.stages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deqbench.plan.LocalRunner;
import org.deqbench.plan.Plan;
import org.deqbench.plan.PlanNode;
import org.deqbench.plan.Planner;
import org.deqbench.plan.RunLock;
import org.deqbench.plan.RunStore;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecException;
import org.deqbench.spec.SpecLoader;
import org.deqbench.track.PipelineRun;
import org.deqbench.track.PipelineTracking;
import org.deqbench.track.Tracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deqbench run}: executes an experiment's whole stage graph locally. */
@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Runs an experiment's stage graph on this machine, resuming where the last run stopped.",
        description = {
            "Runs an experiment's stage graph on this machine: simulate -> train -> certify, attack",
            "-> report, each node in its own JVM, in dependency order. Nodes whose output is up to",
            "date (completion marker matches the spec, the code version and the inputs' SHA-256, and",
            "the node's files are intact) are skipped; a killed run resumes where it stopped. One run",
            "at a time per run directory. The report lands in <run-dir>/report/index.html.",
            "",
            "JVM options of the node processes: DEQBENCH_JAVA_OPTS (default " + RunCommand.DEFAULT_JAVA_OPTS + ")."})
public final class RunCommand implements Callable<Integer>, UsesNd4j {
    static final String DEFAULT_JAVA_OPTS = "-Xmx6g -Dorg.bytedeco.javacpp.maxbytes=8G "
            + "-Dorg.bytedeco.javacpp.maxphysicalbytes=16G -Djava.awt.headless=true";

    static final Map<String, Class<?>> STAGE_MAINS = Map.of(
            "simulate", SimulateMain.class,
            "train", TrainMain.class,
            "certify", CertifyMain.class,
            "attack", AttackMain.class,
            "report", ReportMain.class);

    @Parameters(index = "0", paramLabel = "SPEC", description = "Experiment spec (YAML).")
    Path spec;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory (default: runs/<experiment name>).")
    Path runDir;

    @Option(names = "--force", description = "Rerun every node even if up to date.")
    boolean force;

    @Option(names = "--ignore-code-version",
            description = "Count outputs made by other code as up to date (spec-only caching).")
    boolean ignoreCodeVersion;

    @Override
    public Integer call() throws Exception {
        ExperimentSpec s;
        try {
            s = SpecLoader.load(spec);
        } catch (SpecException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_BAD_INPUT;
        }
        Path dir = runDir != null ? runDir : Path.of("runs", s.name());
        Plan plan = Planner.plan(s, spec.toString(), dir.toString());
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            System.err.println("error: cannot create the run directory " + dir + " (" + e + ")");
            return Cli.EXIT_BAD_INPUT;
        }
        if (!Files.isWritable(dir)) {
            System.err.println("error: the run directory " + dir + " is not writable");
            return Cli.EXIT_BAD_INPUT;
        }
        RunLock lock;
        try {
            lock = RunLock.exclusive(dir, "deqbench run " + spec, System.err::println);
        } catch (RunLock.BusyException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_BUSY;
        }
        System.out.println("experiment " + s.name() + ": " + plan.nodes().size() + " nodes, run directory " + dir);
        LocalRunner.Result r;
        try (lock; PipelineRun tracking = PipelineTracking.begin(dir, plan)) {
            Map<String, String> env = new HashMap<>(tracking.childEnvironment());
            // Idle OpenMP threads that spin make small ND4J ops and convolutions several times
            // slower whenever the machine has other work; sleeping threads cost nothing measurable.
            if (System.getenv("OMP_WAIT_POLICY") == null) {
                env.put("OMP_WAIT_POLICY", "PASSIVE");
            }
            if (ignoreCodeVersion) {
                env.put(Cli.IGNORE_CODE_VERSION_ENV, "1");
            }
            if (Cli.debug()) {
                env.put(Cli.DEBUG_ENV, "1");
            }
            LocalRunner runner = new LocalRunner(RunCommand::nodeCommand, env, System.out);
            r = runner.run(plan, new RunStore(dir, !ignoreCodeVersion), force, lock);
            tracking.finish(r.ok() ? Tracker.Status.FINISHED : Tracker.Status.FAILED);
        }
        if (!r.ok() && r.interrupted()) {
            System.err.println("interrupted at node " + r.failedNode() + "; " + counts(r)
                    + ". Rerun the same command to resume.");
            return r.exitCode();
        }
        if (!r.ok()) {
            System.err.println("error: node " + r.failedNode() + " failed; " + counts(r));
            return Cli.EXIT_FAILED;
        }
        System.out.println(counts(r) + ".");
        System.out.println("report: " + dir.resolve("report").resolve("index.html").toAbsolutePath());
        System.out.println("summary: " + dir.resolve("report").resolve("summary.json").toAbsolutePath());
        return Cli.EXIT_OK;
    }

    /** "3 nodes ran, 1 was up to date" with the right number agreement. */
    static String counts(LocalRunner.Result r) {
        return r.executed() + (r.executed() == 1 ? " node" : " nodes") + " ran, " + r.skipped()
                + (r.skipped() == 1 ? " was" : " were") + " up to date";
    }

    /** {@code java <opts> -cp <this class path> <stage main> <node args without the stage name>}. */
    static List<String> nodeCommand(PlanNode node) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String opts = System.getenv().getOrDefault("DEQBENCH_JAVA_OPTS", DEFAULT_JAVA_OPTS);
        for (String o : opts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        Class<?> main = STAGE_MAINS.get(node.stage());
        if (main == null) {
            throw new IllegalArgumentException("no executable for stage " + node.stage());
        }
        cmd.add(main.getName());
        cmd.addAll(node.args().subList(1, node.args().size()));
        return cmd;
    }
}
