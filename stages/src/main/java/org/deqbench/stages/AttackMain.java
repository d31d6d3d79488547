package org.deqbench.stages;

import org.deqbench.stage.AttackStage;
import org.deqbench.plan.Stage;
import picocli.CommandLine.Command;

/** The attack stage executable. */
@Command(name = "attack", mixinStandardHelpOptions = true,
        header = "Measures how far worst-case and random perturbations of b move a reconstruction.",
        description = {
            "Perturbs test measurements by delta with ||delta|| = eps ||b|| for each eps in the spec:",
            "the worst case found by projected gradient ascent (the top singular vector for linear",
            "maps) and Gaussian noise of the same norm; reports the error amplification",
            "||f(b + delta) - f(b)|| / ||delta|| against the certificate.",
            "",
            "Reads:  <run-dir>/simulate/<task>/, train/<task>/<method>/, certify/<task>/<method>/",
            "Writes: <run-dir>/attack/<task>/<method>/attack.json"})
public final class AttackMain extends StageCommand.PerMethod {
    @Override
    Stage stage() {
        return new AttackStage();
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new AttackMain(), args));
    }
}
