package org.deqbench.stages;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deqbench.reference.CheckpointFormatException;
import org.deqbench.reference.ImportedMolModel;
import org.deqbench.reference.MolInference;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deqbench infer --model <dir> --measurements b.npy --coil-maps s.npy --mask m.npy --out x.npy}:
 * reconstructs multi-coil MRI slices with a MOL model folder ({@link MolInference} documents the
 * array layouts) and prints iterations, convergence and time.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        header = "Reconstructs multi-coil MRI slices from numpy arrays with a MOL model folder.",
        description = {"Reconstructs multi-coil MRI slices with a MOL model folder (deqbench import mol-checkpoint or a "
                + "mol-lr/mol-sn/deq train node).",
                "Layouts (float32/float64 .npy, complex as a real/imaginary axis of length 2): measurements "
                        + "[N, coils, 2, H, W] or [coils, 2, H, W]; coil maps the same (or one set for all slices); "
                        + "mask [N, H, W] or [H, W]; output [N, 2, H, W] float32."})
public final class InferCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "<dir>", description = "model folder")
    Path model;

    @Option(names = "--measurements", required = true, paramLabel = "<b.npy>", description = "k-space measurements")
    Path measurements;

    @Option(names = "--coil-maps", required = true, paramLabel = "<s.npy>", description = "coil sensitivity maps")
    Path coilMaps;

    @Option(names = "--mask", required = true, paramLabel = "<m.npy>", description = "sampling mask")
    Path mask;

    @Option(names = "--out", required = true, paramLabel = "<x.npy>", description = "reconstruction to write")
    Path out;

    @Option(names = "--solver", paramLabel = "plain|anderson",
            description = "fixed-point solver (default: the model's, plain for imported models)")
    String solver;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        var text = spec.commandLine().getOut();
        if (solver != null && !solver.equals("plain") && !solver.equals("anderson")) {
            err.println("error: --solver: expected plain or anderson, found '" + solver + "'");
            return Cli.EXIT_BAD_INPUT;
        }
        ImportedMolModel.Loaded m;
        MolInference.Inputs in;
        try {
            m = ImportedMolModel.load(model, solver);
            in = MolInference.read(measurements, coilMaps, mask);
        } catch (CheckpointFormatException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Cli.EXIT_BAD_INPUT;
        }
        MolInference.Result r = MolInference.run(m, in);
        java.nio.file.Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        Nd4j.writeAsNumpy(r.x(), out.toFile());
        text.printf("%d slice(s) %dx%d, %d coils: %s solver, %d iterations (%d CNN evaluations), %s (relative change "
                + "%.2e, tolerance %.0e, cap %d), %.2f s%n", in.slices(), in.measurements().size(3),
                in.measurements().size(4), in.measurements().size(1), r.solver(), r.iterations(), r.cnnEvaluations(),
                r.converged() ? "converged" : "NOT converged", r.residual(), r.tolerance(), r.maxIterations(), r.seconds());
        text.println("wrote " + out.toAbsolutePath() + " [" + in.slices() + ", 2, " + in.measurements().size(3) + ", "
                + in.measurements().size(4) + "] float32");
        text.flush();
        return Cli.EXIT_OK;
    }
}
