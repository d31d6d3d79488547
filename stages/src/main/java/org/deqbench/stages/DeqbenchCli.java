package org.deqbench.stages;

import picocli.CommandLine.Command;

/** The {@code deqbench} command: every stage, the local runner and the tools. */
@Command(name = "deqbench", mixinStandardHelpOptions = true, version = "deqbench 0.1.0",
        description = {
            "Experiment pipeline for model-based deep learning on imaging inverse problems:",
            "unrolled (MoDL) versus deep-equilibrium (MOL, DEQ-GD/RERG, ELDER) reconstruction,",
            "with Lipschitz certificates, measurement attacks and reports.",
            "",
            "Start with: deqbench run experiments/quickstart.yaml",
            "",
            "Errors are one line on stderr; --debug (anywhere before '--') adds the stack trace."},
        subcommands = {
            RunCommand.class,
            PlanCommand.class,
            SimulateMain.class,
            TrainMain.class,
            CertifyMain.class,
            AttackMain.class,
            ReportMain.class,
            CompareCommand.class,
            MlflowCommand.class,
            BenchCommand.class,
            ImportCommand.class,
            InferCommand.class})
public final class DeqbenchCli implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new DeqbenchCli(), args));
    }
}
