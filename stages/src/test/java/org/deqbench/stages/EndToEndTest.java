package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.deqbench.plan.RunStore;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A reduced quickstart through the real CLI: every node runs in its own JVM via the local runner.
 * Checks the science (CG-SENSE beats zero-filled, attacks stay within certificates), the caching
 * (a rerun skips everything; a changed method reruns only its nodes and the report) and the CLI's
 * handling of bad specs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {
    static final String SPEC = """
            name: e2e
            seed: 3
            tasks:
              - name: mri
                problem: mri
                size: [24, 24]
                train: 4
                test: 3
                noise: {sigma: 0.02}
                mri: {coils: 4, acceleration: 3, centre_fraction: 0.15}
            methods:
              - {name: zero-filled, kind: zero-filled}
              - {name: cg-sense, kind: cg-sense, lambdas: [0.01, 0.05, 0.2], cg_iterations: 60}
            certify: {power_iterations: 15, tolerance: 1.0e-6, images: 1}
            attack: {eps: [0.01, 0.05], steps: 15, images: 1}
            report: {examples: 1}
            """;

    @TempDir
    static Path dir;

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new DeqbenchCli()).execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Path spec(String name, String yaml) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    @Order(1)
    void quickstartRunsEndToEndAndTheBaselinesBehave() throws Exception {
        Path spec = spec("e2e.yaml", SPEC);
        Path runs = dir.resolve("runs");
        Run r = cli("run", spec.toString(), "--run-dir", runs.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("report/index.html"), r.out());
        JsonNode summary = RunStore.JSON.readTree(runs.resolve("report/summary.json").toFile());
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode row : summary.has("rows") ? summary.get("rows") : summary) {
            rows.put(row.get("method").asText(), row);
        }
        double zf = rows.get("zero-filled").get("psnr").asDouble();
        double cg = rows.get("cg-sense").get("psnr").asDouble();
        assertTrue(cg > zf + 2.0, "CG-SENSE " + cg + " dB should beat zero-filled " + zf + " dB by several dB");
        for (JsonNode row : rows.values()) {
            double upper = row.get("lipschitz_upper").asDouble();
            for (JsonNode a : row.get("attack")) {
                assertTrue(a.get("amplification_worst").asDouble() <= upper * (1 + 1e-6),
                        row.get("method") + " eps " + a.get("eps") + ": " + a + " exceeds certificate " + upper);
                assertTrue(a.get("amplification_gaussian").asDouble() <= a.get("amplification_worst").asDouble() * (1 + 1e-9),
                        "Gaussian noise should not beat the worst case: " + a);
            }
        }
        assertTrue(Files.isRegularFile(runs.resolve("report/index.html")));
    }

    @Test
    @Order(2)
    void aSecondRunSkipsEveryNode() throws Exception {
        Path runs = dir.resolve("runs");
        Run r = cli("run", dir.resolve("e2e.yaml").toString(), "--run-dir", runs.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("0 nodes ran, 8 were up to date"), r.out());
    }

    @Test
    @Order(3)
    void changingOneMethodRerunsOnlyItsNodesAndTheReport() throws Exception {
        Path spec = spec("e2e.yaml", SPEC.replace("lambdas: [0.01, 0.05, 0.2]", "lambdas: [0.02, 0.05, 0.2]"));
        Run r = cli("run", spec.toString(), "--run-dir", dir.resolve("runs").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("4 nodes ran, 4 were up to date"), r.out());
        for (String id : new String[] {"train/mri/cg-sense", "certify/mri/cg-sense", "attack/mri/cg-sense", "report"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.contains(id) && l.contains("done")), id + " reran:\n" + r.out());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.contains("train/mri/zero-filled") && l.contains("skipped")), r.out());
    }

    @Test
    void aBadSpecFailsBeforeAnythingIsWritten() throws Exception {
        Path spec = spec("bad.yaml", SPEC.replace("acceleration: 3", "acceleration: 0.5"));
        Path runs = dir.resolve("bad-runs");
        Run r = cli("run", spec.toString(), "--run-dir", runs.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.yaml") && r.err().contains("tasks[0].mri.acceleration"), r.err());
        assertTrue(!Files.exists(runs), "nothing written");
    }

    @Test
    void planPrintsTheStageGraphAsJson() throws Exception {
        Path spec = spec("plan.yaml", SPEC);
        Run r = cli("plan", spec.toString(), "--run-dir", "/runs/e2e");
        assertEquals(0, r.code(), r.err());
        JsonNode plan = RunStore.JSON.readTree(r.out());
        assertEquals("e2e", plan.get("experiment").asText());
        assertEquals(8, plan.get("nodes").size());
        assertEquals("/runs/e2e", plan.get("run_dir").asText());
    }

    @Test
    void everyStageExplainsItsInputsAndOutputs() {
        for (String stage : new String[] {"simulate", "train", "certify", "attack", "report"}) {
            Run r = cli(stage, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().contains("Reads:") && r.out().contains("Writes:"), stage + ":\n" + r.out());
        }
    }
}
