package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deqbench.reference.ReferenceBenchmark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench reference}'s training sizes, repeats and gemm size: parsing, defaults and one-line errors. */
class BenchReferenceOptionsTest {
    @TempDir
    Path dir;

    private static BenchReferenceCommand parse(String... args) {
        BenchReferenceCommand c = new BenchReferenceCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void trainSizesAndRepeatsReachTheSettings() {
        ReferenceBenchmark.Settings s = parse("--mol-code", "m").settings();
        assertEquals(List.of(ReferenceBenchmark.TrainSize.SPEC), s.trainSizes());
        assertEquals(1, s.repeats());
        s = parse("--mol-code", "m", "--train-size", "spec,256x232x12", "--repeats", "3").settings();
        assertEquals(List.of(ReferenceBenchmark.TrainSize.SPEC, new ReferenceBenchmark.TrainSize(256, 232, 12)),
                s.trainSizes());
        assertEquals(3, s.repeats());
        s = parse("--mol-code", "m", "--train-size", "256x232x12").settings();
        assertEquals(List.of(new ReferenceBenchmark.TrainSize(256, 232, 12)), s.trainSizes());
        // both shapes of the kernel comparison by default, each timed on both sides in one run
        assertEquals(List.of("[4, 2, 64, 64]", "[1, 2, 256, 256]"),
                parse("--mol-code", "m").settings().kernelShapes().stream().map(java.util.Arrays::toString).toList());
        assertEquals(ReferenceBenchmark.Settings.DEFAULT_GEMM_SIZE, parse("--mol-code", "m").settings().gemmSize());
        assertEquals(256, parse("--mol-code", "m", "--gemm-size", "256").settings().gemmSize());
        assertEquals(List.of("[1, 2, 8, 8]"), parse("--mol-code", "m", "--kernel-shape", "1x2x8x8").settings()
                .kernelShapes().stream().map(java.util.Arrays::toString).toList());
    }

    /** A bad size or count ends with exit code 2 and one line naming the option, before anything runs. */
    @Test
    void badTrainSizeOrRepeatsIsOneClearLine() throws Exception {
        Path mol = Files.createDirectories(dir.resolve("mol"));
        Files.writeString(mol.resolve("solvers.py"), "");
        Path runDir = dir.resolve("run");
        for (String[] bad : List.of(new String[] {"--train-size", "256x232"}, new String[] {"--train-size", "256xAx12"},
                new String[] {"--train-size", "spec,spec"}, new String[] {"--repeats", "0"},
                new String[] {"--gemm-size", "0"}, new String[] {"--gemm-size", "-64"},
                new String[] {"--gemm-size", "100000"})) {
            BadInputsTest.Outcome o = BadInputsTest.cli("bench", "reference", "--mol-code", mol.toString(), "--run-dir",
                    runDir.toString(), bad[0], bad[1]);
            assertEquals(Cli.EXIT_BAD_INPUT, o.code(), o.err());
            String[] lines = o.err().strip().split("\n");
            assertEquals(1, lines.length, o.err());
            assertTrue(lines[0].startsWith("error: " + bad[0]), o.err());
            assertFalse(Files.exists(runDir.resolve("bench").resolve("reference.json")));
        }
    }
}
