package org.deqbench.stages;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deqbench.plan.Plan;
import org.deqbench.plan.Planner;
import org.deqbench.plan.RunStore;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecException;
import org.deqbench.spec.SpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deqbench plan}: prints the stage graph as JSON (what the Airflow DAGs execute). */
@Command(name = "plan", mixinStandardHelpOptions = true,
        header = "Prints an experiment's stage graph as JSON, the input of the Airflow DAGs.",
        description = {
            "Prints an experiment's stage graph as JSON: every node (stage, task, method), its inputs,",
            "its hash and the exact deqbench arguments that run it. The local runner executes",
            "exactly these nodes; dags/plans/ holds these exports for Airflow."})
public final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = "Experiment spec (YAML).")
    Path spec;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory (default: runs/<experiment name>).")
    String runDir;

    @Override
    public Integer call() throws Exception {
        ExperimentSpec s;
        try {
            s = SpecLoader.load(spec);
        } catch (SpecException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_BAD_INPUT;
        }
        Plan plan = Planner.plan(s, spec.toString(), runDir != null ? runDir : "runs/" + s.name());
        System.out.println(RunStore.JSON.writeValueAsString(plan));
        return Cli.EXIT_OK;
    }
}
