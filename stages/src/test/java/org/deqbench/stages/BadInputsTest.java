package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The corpus of bad inputs in {@code src/test/resources/bad-inputs} through the real CLI: each ends
 * with exit code 2, exactly one line on stderr that names the file or key and what was expected, no
 * stack trace, and no node output (no node folder, no temporary folder).
 */
class BadInputsTest {
    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
    }

    static Outcome cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Cli.execute(new DeqbenchCli(), args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The corpus copied into a fresh folder (nothing is written next to the test resources). */
    private Path corpus() throws Exception {
        Path src = Path.of(BadInputsTest.class.getResource("/bad-inputs").toURI());
        Path dst = dir.resolve("bad-inputs");
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : walk.toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return dst;
    }

    private static void assertOneLineNoTrace(Outcome o, String... mustContain) {
        // progress lines of a node ("simulate/t: 0/3") may precede the error
        List<String> lines = o.err().lines().filter(l -> !l.isBlank() && !l.matches("^\\S+: \\d+/\\d+.*")).toList();
        assertEquals(1, lines.size(), "one line on stderr besides progress, found:\n" + o.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("error: "), line);
        for (String s : mustContain) {
            assertTrue(line.contains(s), "'" + s + "' missing in: " + line);
        }
        String all = o.out() + o.err();
        assertFalse(all.contains("\tat ") || all.contains("Exception in thread"), "a stack trace:\n" + all);
    }

    private static void assertNoNodeOutput(Path runDir) throws IOException {
        if (!Files.exists(runDir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(runDir)) {
            List<Path> outputs = walk.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(".tmp-") || n.equals("_COMPLETE.json") || n.equals("manifest.json");
            }).toList();
            assertEquals(List.of(), outputs, "node output was written");
        }
        assertFalse(Files.exists(runDir.resolve("simulate/t")), "a node folder was created");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "duplicate-key.yaml   | key 'train' is given twice",
        "null-list-item.yaml  | tasks[0].size[1]: empty list item",
        "binary-garbage.yaml  | not a text file",
        "huge-train.yaml      | tasks[0]: expected a dataset of at most",
        "huge-frames.yaml     | tasks[0]: expected one example of at most",
        "huge-channels.yaml   | methods[0].network: expected at most",
    })
    void aBadSpecStopsBeforeAnythingIsWritten(String file, String expected) throws Exception {
        Path spec = corpus().resolve(file);
        Path runDir = dir.resolve("runs");
        Outcome o = cli("run", spec.toString(), "--run-dir", runDir.toString());
        assertEquals(Cli.EXIT_BAD_INPUT, o.code(), o.out() + o.err());
        assertOneLineNoTrace(o, file, expected);
        assertFalse(Files.exists(runDir), "the run directory was created");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "fake-png.yaml        | is not an image",
        "too-few-images.yaml  | holds 1 images; train + test = 3 are needed",
        "corrupt-hdf5.yaml    | corrupt.h5",
        "truncated-hdf5.yaml  | truncated.h5",
    })
    void aBadDataFileFailsItsNodeInOneLine(String file, String expected) throws Exception {
        Path spec = corpus().resolve(file);
        Path runDir = dir.resolve("runs");
        Outcome o = cli("simulate", "--spec", spec.toString(), "--task", "t", "--run-dir", runDir.toString());
        assertEquals(Cli.EXIT_BAD_INPUT, o.code(), o.out() + o.err());
        assertOneLineNoTrace(o, "simulate/t", expected);
        assertNoNodeOutput(runDir);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"run", "simulate"})
    void aRunDirectoryThatCannotBeWrittenIsOneLine(String command) throws Exception {
        Path spec = corpus().resolve("one-image.yaml");
        Files.writeString(spec, "name: ok\ntasks:\n  - {name: t, problem: denoise, size: [16, 16], train: 1, test: 1}\n"
                + "methods:\n  - {name: zf, kind: zero-filled}\n");
        Path file = Files.writeString(dir.resolve("a-file"), "not a folder");
        Path runDir = file.resolve("run");
        Outcome o = command.equals("run") ? cli("run", spec.toString(), "--run-dir", runDir.toString())
                : cli("simulate", "--spec", spec.toString(), "--task", "t", "--run-dir", runDir.toString());
        assertTrue(o.code() != 0, o.out() + o.err());
        assertOneLineNoTrace(o, "a-file");
    }
}
