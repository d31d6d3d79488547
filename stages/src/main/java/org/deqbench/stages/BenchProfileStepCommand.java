package org.deqbench.stages;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.deqbench.spec.SpecException;
import org.deqbench.stage.StepProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code deqbench bench profile-step --spec experiments/quickstart.yaml}: where a training step's
 * time goes ({@link StepProfile}), with the CNN through SameDiff and op by op in one run.
 */
@Command(name = "profile-step", mixinStandardHelpOptions = true,
        header = "Breaks training steps into CNN, CG, Anderson, fixed-point map and unattributed time.",
        description = {"A few training steps of each learned method of a spec on its first task, broken into CNN "
                + "forward, CNN VJP, CNN JVP, conjugate gradients (with the operator), Anderson acceleration, the "
                + "fixed-point maps' own work, garbage collection and the unattributed rest, once with the CNN "
                + "through SameDiff's session (samediff) and once op by op (direct).",
                "Writes <run-dir>/bench/profile-step.json unless --out is given; simulated data go to "
                        + "<run-dir>/bench/profile-step-data."})
public final class BenchProfileStepCommand implements Callable<Integer>, UsesNd4j {
    @Option(names = "--spec", defaultValue = "experiments/quickstart.yaml", paramLabel = "FILE",
            description = "Spec whose first task and learned methods are profiled (default: ${DEFAULT-VALUE}).")
    Path spec;

    @Option(names = "--run-dir", defaultValue = "runs/profile-step", paramLabel = "DIR",
            description = "Where the data and the report go (default: ${DEFAULT-VALUE}).")
    Path runDir;

    @Option(names = "--methods", split = ",", paramLabel = "NAME",
            description = "Method names to profile (default: modl,mol-lr).")
    List<String> methods = new ArrayList<>(List.of("modl", "mol-lr"));

    @Option(names = "--engines", split = ",", paramLabel = "ENGINE",
            description = "samediff and/or direct (default: samediff,direct).")
    List<String> engines = new ArrayList<>(StepProfile.DEFAULT_ENGINES);

    @Option(names = "--steps", defaultValue = "4", paramLabel = "N",
            description = "Steps per method and engine; the first is not counted (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--out", paramLabel = "FILE", description = "Report file (default: <run-dir>/bench/profile-step.json).")
    Path out;

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        StepProfile.Settings settings;
        try {
            settings = new StepProfile.Settings(spec, runDir, methods, steps, engines);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandSpec.commandLine(), e.getMessage(), e);
        }
        Path file = out != null ? out : runDir.resolve(StepProfile.FILE);
        try {
            StepProfile.run(settings, file, System.out);
        } catch (SpecException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return Cli.EXIT_BAD_INPUT;
        }
        System.out.println("wrote " + file.toAbsolutePath());
        return 0;
    }
}
