package org.deqbench.stages;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.deqbench.spec.SpecException;
import org.deqbench.stage.StepProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Mixin
    BenchOptions.Spec spec = new BenchOptions.Spec("experiments/quickstart.yaml");

    @Mixin
    BenchOptions.RunDir runDir = new BenchOptions.RunDir("runs/profile-step");

    @Option(names = "--methods", split = ",", paramLabel = "NAME",
            description = "Method names to profile (default: modl,mol-lr).")
    List<String> methods = new ArrayList<>(List.of("modl", "mol-lr"));

    @Option(names = "--engines", split = ",", paramLabel = "ENGINE",
            description = "samediff and/or direct (default: samediff,direct).")
    List<String> engines = new ArrayList<>(StepProfile.DEFAULT_ENGINES);

    @Mixin
    BenchOptions.Steps steps = new BenchOptions.Steps(4);

    @Mixin
    BenchOptions.Report out = new BenchOptions.Report(BenchOptions.RUN_DIR + "/" + StepProfile.FILE);

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        StepProfile.Settings settings;
        try {
            settings = new StepProfile.Settings(spec.file, runDir.dir, methods, steps.count, engines);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandSpec.commandLine(), e.getMessage(), e);
        }
        Path file = out.resolve(runDir.dir);
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
