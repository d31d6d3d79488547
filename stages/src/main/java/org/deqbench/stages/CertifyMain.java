package org.deqbench.stages;

import org.deqbench.stage.CertifyStage;
import org.deqbench.plan.Stage;
import picocli.CommandLine.Command;

/** The certify stage executable. */
@Command(name = "certify", mixinStandardHelpOptions = true,
        header = "Bounds the Lipschitz constant of a trained method's reconstruction map b -> x.",
        description = {
            "Bounds the Lipschitz constant of a trained method's reconstruction map b -> x.",
            "For linear maps the bound is exact (power iteration on R^T R); for learned maps an",
            "upper bound (certificate) where the theory gives one, and empirical lower bounds.",
            "",
            "Reads:  <run-dir>/simulate/<task>/ and <run-dir>/train/<task>/<method>/",
            "Writes: <run-dir>/certify/<task>/<method>/certificate.json"})
public final class CertifyMain extends StageCommand.PerMethod {
    @Override
    Stage stage() {
        return new CertifyStage();
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new CertifyMain(), args));
    }
}
