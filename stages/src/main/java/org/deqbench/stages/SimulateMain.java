package org.deqbench.stages;

import org.deqbench.stage.SimulateStage;
import org.deqbench.plan.Stage;
import picocli.CommandLine.Command;

/** The simulate stage executable. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        header = "Simulates one task's data set: ground truth, operators and noisy measurements.",
        description = {
            "Simulates one task's data set: ground truth (phantoms, an image folder or HDF5 k-space),",
            "operator parameters (masks, coil maps, kernels) and noisy measurements, for the train and",
            "test splits, deterministically from the spec's seed.",
            "",
            "Reads:  the spec's task section (and source files it names).",
            "Writes: <run-dir>/simulate/<task>/{train,test}/*.npy and manifest.json (role, shape, dtype",
            "        and meaning of every array; complex layout; FFT convention)."})
public final class SimulateMain extends StageCommand.PerTask {
    @Override
    Stage stage() {
        return new SimulateStage();
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new SimulateMain(), args));
    }
}
