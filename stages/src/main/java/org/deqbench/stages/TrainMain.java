package org.deqbench.stages;

import org.deqbench.plan.Stage;
import org.deqbench.stage.TrainStage;
import picocli.CommandLine.Command;

/** The train stage executable. */
@Command(name = "train", mixinStandardHelpOptions = true,
        header = "Fits one method on one task's training split and reconstructs its test split.",
        description = {
            "Fits one method on one task's training split and reconstructs its test split.",
            "Non-learned methods choose their regularisation weight by grid search; learned methods",
            "(modl, deq, mol-sn, mol-lr, ...) train with Adam, resumable from checkpoints.",
            "",
            "Reads:  <run-dir>/simulate/<task>/",
            "Writes: <run-dir>/train/<task>/<method>/ reconstructions.npy, metrics.json (per-image PSNR,",
            "        SSIM, NMSE), method.json (chosen parameters, time, memory), and for learned",
            "        methods model/ and training.json (curves).",
            "",
            "A method with train_on: --task joint trains its one model on all listed tasks into",
            "<run-dir>/train/joint/<method>/ (model/, training.json, tasks/<task>/ results); then",
            "--task <task> copies that task's share into <run-dir>/train/<task>/<method>/."})
public final class TrainMain extends StageCommand.PerMethod {
    @Override
    Stage stage() {
        return new TrainStage();
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new TrainMain(), args));
    }
}
