package org.deqbench.stages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.deqbench.reference.CheckpointFormatException;
import org.deqbench.reference.ImportedMolModel;
import org.deqbench.reference.MolCheckpoint;
import org.deqbench.reference.OfficialMolSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code deqbench import <format>}: models trained elsewhere, as deqbench model folders. */
@Command(name = "import", mixinStandardHelpOptions = true,
        header = "Imports a model trained by other code as a deqbench model folder.",
        description = "Imports a model trained by other code as a deqbench model folder.",
        subcommands = {ImportCommand.MolCheckpointCommand.class})
public final class ImportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: mol-checkpoint");
    }

    /**
     * {@code deqbench import mol-checkpoint <file.pth.tar> --out <dir>}: a checkpoint of the
     * official MOL code ({@link MolCheckpoint}) as a trained {@code mol-lr} model folder
     * ({@link ImportedMolModel}). Exit 2 with one line when the file is not such a checkpoint.
     */
    @Command(name = "mol-checkpoint", mixinStandardHelpOptions = true,
            header = "Reads a checkpoint of the official MOL code into a mol-lr model folder.",
            description = {"Reads a checkpoint of the official MOL code (torch.save zip of {'state_dict': ...}: f.lam and "
                    + "f.dw.net.<l>.conv.weight/.bias), checks the network against the official dwblock (3x3 convs "
                    + "with bias, ReLU, 2 channels in and out) and writes a mol-lr model folder for deqbench infer.",
                    "alpha, lam_init, cgIter_itr and cgIter_init come from training_parameters.yml (beside the "
                            + "checkpoint, or --parameters); the official tolerance 1e-4, cap 500 and identity weight "
                            + "1.001 are fixed."})
    public static final class MolCheckpointCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "<file.pth.tar>", description = "the checkpoint")
        Path checkpoint;

        @Option(names = "--out", required = true, paramLabel = "<dir>", description = "model folder to write")
        Path out;

        @Option(names = "--parameters", paramLabel = "<yml>",
                description = "training_parameters.yml (default: the one beside the checkpoint, if any)")
        Path parameters;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path yml = parameters;
            if (yml == null && checkpoint.toAbsolutePath().getParent() != null) {
                Path beside = checkpoint.toAbsolutePath().getParent().resolve("training_parameters.yml");
                yml = Files.isRegularFile(beside) ? beside : null;
            }
            var err = spec.commandLine().getErr();
            var outText = spec.commandLine().getOut();
            if (yml != null && !Files.isRegularFile(yml)) {
                err.println("error: " + yml + ": no such parameter file");
                return Cli.EXIT_BAD_INPUT;
            }
            MolCheckpoint c;
            try {
                c = MolCheckpoint.read(checkpoint, yml);
            } catch (CheckpointFormatException e) {
                err.println("error: " + e.getMessage());
                return Cli.EXIT_BAD_INPUT;
            }
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(checkpoint)));
            List<String> files = ImportedMolModel.write(out, c.network(), c.settings(),
                    new ImportedMolModel.Source(checkpoint.toString(), sha, yml == null ? null : yml.toString()));
            OfficialMolSettings s = c.settings();
            var a = c.network().architecture();
            StringBuilder widths = new StringBuilder();
            for (int l = 0; l <= a.layers(); l++) {
                widths.append(l == 0 ? "" : "->").append(a.width(l));
            }
            outText.printf("imported %s: %d layers %dx%d, channels %s, relu, bias; %d parameters%n", checkpoint,
                    a.layers(), a.kernel(), a.kernel(), widths, c.network().parameterCount());
            outText.printf("lambda %.6g, alpha %.4g, cg %d per iteration, start lambda0 %.4g with %d cg steps, "
                    + "identity weight %.4g, tolerance %.1e, max %d iterations%s%n", s.lambda(), s.alpha(), s.cgIterations(),
                    s.initLambda(), s.initCgIterations(), s.identityWeight(), s.tolerance(), s.maxIterations(),
                    yml == null ? " (no training_parameters.yml: official defaults)" : " (from " + yml + ")");
            outText.println("wrote " + out.toAbsolutePath() + ": " + String.join(", ", files));
            outText.flush();
            return Cli.EXIT_OK;
        }
    }
}
