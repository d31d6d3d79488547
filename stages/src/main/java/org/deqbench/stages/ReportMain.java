package org.deqbench.stages;

import org.deqbench.plan.Stage;
import org.deqbench.stage.ReportStage;
import picocli.CommandLine.Command;

/** The report stage executable. */
@Command(name = "report", mixinStandardHelpOptions = true,
        header = "Builds the experiment's report from every train, certify and attack node.",
        description = {
            "Builds the experiment's report from every train, certify and attack node.",
            "",
            "Reads:  <run-dir>/simulate, train, certify and attack outputs of every task and method.",
            "Writes: <run-dir>/report/index.html (tables with 95%% intervals, certificates, attacks,",
            "        training curves, example reconstructions and error maps), figures/*.png, and",
            "        summary.json (one row per task and method)."})
public final class ReportMain extends StageCommand {
    @Override
    Stage stage() {
        return new ReportStage();
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new ReportMain(), args));
    }
}
