package org.deqbench.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deqbench.nn.ConvNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The import of official MOL checkpoints on tiny ones made by torch
 * ({@code src/test/resources/org/deqbench/reference/make_tiny_checkpoints.py}: the official key
 * layout at 2 → 4 → 4 → 2 channels, with torch's output of the network on a fixed input).
 */
class MolCheckpointTest {

    static Path resource(String name) {
        try {
            return Path.of(MolCheckpointTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Float32 convolutions of 2·4·9 + 4·4·9 + 4·2·9 terms summed in different orders by torch and
     * oneDNN: differences of a few ulps of the O(1) outputs, so 1e-5 relative to the output norm.
     */
    @Test
    void importedNetworkReproducesTorchOutputs() {
        MolCheckpoint c = MolCheckpoint.read(resource("tiny_mol.pth"), null);
        ConvNet.Architecture a = c.network().architecture();
        assertEquals(3, a.layers());
        assertEquals(4, a.channels());
        assertEquals(3, a.kernel());
        assertEquals("relu", a.activation());
        assertEquals(12.5, c.settings().lambda(), 1e-6);
        INDArray x = Nd4j.createFromNpyFile(resource("tiny_mol_input.npy").toFile());
        INDArray expected = Nd4j.createFromNpyFile(resource("tiny_mol_output.npy").toFile()).castTo(DataType.DOUBLE);
        INDArray y = c.network().forward(x).castTo(DataType.DOUBLE);
        assertArrayEquals(expected.shape(), y.shape());
        double rel = y.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
        assertTrue(rel < 1e-5, "relative difference to torch " + rel);
    }

    @Test
    void importedModelSurvivesWritingAndLoading(@TempDir Path dir) {
        MolCheckpoint c = MolCheckpoint.read(resource("tiny_mol.pth"), null);
        List<String> files = ImportedMolModel.write(dir, c.network(), c.settings(),
                new ImportedMolModel.Source("tiny_mol.pth", "0", null));
        assertTrue(files.contains("model/model.json") && files.contains("manifest.json"), files.toString());
        ImportedMolModel.Loaded m = ImportedMolModel.load(dir, null);
        assertEquals(1.001, m.reconstructor().iteration().identityWeight(), 0);
        assertEquals(1.001 / 100, m.reconstructor().start().mu(), 1e-15);
        assertEquals(50, m.reconstructor().start().cgIterations());
        INDArray x = Nd4j.createFromNpyFile(resource("tiny_mol_input.npy").toFile());
        // the saved and reloaded network computes exactly what the imported one does
        assertEquals(0.0, m.reconstructor().network().forward(x).sub(c.network().forward(x)).amaxNumber().doubleValue(),
                0.0);
    }

    @Test
    void yamlParametersAreReadFromThePythonOrderedDictDump(@TempDir Path dir) throws Exception {
        Path yml = dir.resolve("training_parameters.yml");
        Files.writeString(yml, """
                !!python/object/apply:collections.OrderedDict
                - - - number_of_feature_filters
                    - 4
                  - - number_of_layers
                    - 3
                  - - input_channels
                    - 1
                  - - output_channels
                    - 1
                  - - lam_init
                    - 50
                  - - cgIter_itr
                    - 7
                  - - cgIter_init
                    - 40
                  - - alpha
                    - 0.02
                """);
        OfficialMolSettings s = MolCheckpoint.read(resource("tiny_mol.pth"), yml).settings();
        assertEquals(0.02, s.alpha(), 0);
        assertEquals(7, s.cgIterations());
        assertEquals(50, s.initLambda(), 0);
        assertEquals(40, s.initCgIterations());
        assertEquals(12.5, s.lambda(), 1e-6);

        Files.writeString(yml, Files.readString(yml).replace("- 3\n", "- 5\n"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> MolCheckpoint.read(resource("tiny_mol.pth"), yml));
        assertTrue(e.getMessage().contains("number_of_layers is 5 but the checkpoint's weights have 3"), e.getMessage());
    }

    @Test
    void badFilesFailWithOneLineNamingTheProblem() {
        assertOneLine("not_a_checkpoint.pth", "not a PyTorch checkpoint");
        assertOneLine("tiny_mol_legacy.pth", "legacy (torch < 1.6) checkpoint");
        assertOneLine("tiny_mol_missing_lambda.pth", "state_dict has no 'f.lam'");
        assertOneLine("tiny_mol_wrong_shape.pth", "'f.dw.net.1.conv.weight' has 3 input channels, expected 4");
    }

    private static void assertOneLine(String file, String expected) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> MolCheckpoint.read(resource(file), null));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(file), "message names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
