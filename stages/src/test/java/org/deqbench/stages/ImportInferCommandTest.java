package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.reference.ImportedMolModel;
import org.deqbench.reference.SyntheticSlices;
import org.deqbench.recon.MolIteration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

/**
 * {@code deqbench import mol-checkpoint} then {@code deqbench infer} on a tiny torch checkpoint
 * (pipeline's test resources, made by make_tiny_checkpoints.py) and tiny synthetic slices.
 */
class ImportInferCommandTest {

    private static Path resource(String name) throws URISyntaxException {
        // the pipeline module's test resources, next to this module
        Path p = Path.of("..", "pipeline", "src", "test", "resources", "org", "deqbench", "reference", name);
        assertTrue(Files.isRegularFile(p), "test resource " + p.toAbsolutePath());
        return p;
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * The round trip runs and its output is the model's fixed point: one more application of the
     * iteration map T (with the imported γ = 1.001 and α, λ) moves it by at most 10× the solver's
     * relative-change tolerance 1e-4 (float32 iteration; the last step's change is below 1e-4).
     */
    @Test
    void importThenInferReconstructsAFixedPoint(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        // α = 0.5 (tiny_training_parameters.yml) so that the tiny test converges in a few dozen iterations
        Run imp = run(new ImportCommand(), "mol-checkpoint", resource("tiny_mol.pth").toString(), "--out", model.toString(),
                "--parameters", resource("tiny_training_parameters.yml").toString());
        assertEquals(0, imp.code(), imp.err());
        assertTrue(imp.out().contains("3 layers 3x3"), imp.out());
        assertTrue(imp.out().contains("alpha 0.5000"), imp.out());
        assertTrue(Files.isRegularFile(model.resolve("model/model.json")));

        SyntheticSlices s = SyntheticSlices.generate(2, 12, 10, 3, 2.0, 0.01, 5);
        Nd4j.writeAsNumpy(s.measurements(), dir.resolve("b.npy").toFile());
        Nd4j.writeAsNumpy(s.coilMaps(), dir.resolve("s.npy").toFile());
        Nd4j.writeAsNumpy(s.masks(), dir.resolve("m.npy").toFile());
        Path out = dir.resolve("x.npy");
        Run inf = run(new InferCommand(), "--model", model.toString(), "--measurements", dir.resolve("b.npy").toString(),
                "--coil-maps", dir.resolve("s.npy").toString(), "--mask", dir.resolve("m.npy").toString(), "--out",
                out.toString());
        assertEquals(0, inf.code(), inf.err());
        assertTrue(inf.out().contains(" converged"), inf.out());
        System.out.println(inf.out());
        INDArray x = Nd4j.createFromNpyFile(out.toFile());
        assertArrayEquals(new long[] {2, 2, 12, 10}, x.shape());
        assertEquals(DataType.FLOAT, x.dataType());

        ImportedMolModel.Loaded m = ImportedMolModel.load(model, null);
        MolIteration it = m.reconstructor().iteration();
        INDArray tx = it.apply(MolIteration.Data.of(new MultiCoilMri(s.coilMaps(), s.masks()), s.measurements()), x);
        double change = tx.sub(x).norm2Number().doubleValue() / x.norm2Number().doubleValue();
        assertTrue(change < 1e-3, "relative change of one more iteration " + change);
    }

    @Test
    void badCheckpointsAndArraysGiveOneLine(@TempDir Path dir) throws Exception {
        Run bad = run(new ImportCommand(), "mol-checkpoint", resource("not_a_checkpoint.pth").toString(), "--out",
                dir.resolve("m").toString());
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().trim().split("\n").length, bad.err());
        assertTrue(bad.err().contains("not a PyTorch checkpoint"), bad.err());
        assertFalse(Files.exists(dir.resolve("m")));

        Path model = dir.resolve("model");
        assertEquals(0, run(new ImportCommand(), "mol-checkpoint", resource("tiny_mol.pth").toString(), "--out",
                model.toString()).code());
        Nd4j.writeAsNumpy(Nd4j.zeros(DataType.FLOAT, 2, 3, 8, 8), dir.resolve("b.npy").toFile());
        Nd4j.writeAsNumpy(Nd4j.zeros(DataType.FLOAT, 3, 2, 8, 8), dir.resolve("s.npy").toFile());
        Nd4j.writeAsNumpy(Nd4j.zeros(DataType.FLOAT, 8, 8), dir.resolve("m.npy").toFile());
        Run inf = run(new InferCommand(), "--model", model.toString(), "--measurements", dir.resolve("b.npy").toString(),
                "--coil-maps", dir.resolve("s.npy").toString(), "--mask", dir.resolve("m.npy").toString(), "--out",
                dir.resolve("x.npy").toString());
        assertEquals(2, inf.code());
        assertTrue(inf.err().contains("measurements must be [N, coils, 2, H, W]"), inf.err());
        assertEquals(1, inf.err().trim().split("\n").length, inf.err());
    }
}
