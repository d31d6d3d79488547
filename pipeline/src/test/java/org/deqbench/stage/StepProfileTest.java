package org.deqbench.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step profile's report on a tiny MoDL: its structure and bookkeeping, never its speed. */
class StepProfileTest {
    @Test
    @SuppressWarnings("unchecked")
    void profilesEveryEngineWithSectionsThatAddUpToNoMoreThanTheStep(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("profile.yaml");
        Files.writeString(spec, """
                name: profile-tiny
                seed: 3
                tasks:
                  - name: mri-4x
                    problem: mri
                    size: [8, 8]
                    train: 2
                    test: 1
                methods:
                  - name: modl
                    kind: modl
                    iterations: 2
                    cg_iterations: 3
                    network: {layers: 2, channels: 4}
                    training: {batch_size: 1}
                """);
        Path out = tmp.resolve("profile.json");
        Map<String, Object> doc = StepProfile.run(new StepProfile.Settings(spec, tmp.resolve("run"), List.of(), 2,
                StepProfile.DEFAULT_ENGINES), out, new PrintStream(OutputStream.nullOutputStream()));
        assertTrue(Files.isRegularFile(out));
        List<Map<String, Object>> rows = (List<Map<String, Object>>) doc.get("rows");
        assertEquals(List.of("samediff", "direct"), rows.stream().map(r -> r.get("engine")).toList());
        for (Map<String, Object> row : rows) {
            for (Map<String, Object> step : (List<Map<String, Object>>) row.get("steps")) {
                Map<String, Map<String, Object>> sections = (Map<String, Map<String, Object>>) step.get("sections");
                // K = 2: two forward passes, two VJPs, two forward and two backward CG solves
                assertEquals(2L, sections.get("cnn_forward").get("calls"), row.get("engine") + " " + sections);
                assertEquals(2L, sections.get("cnn_vjp").get("calls"));
                assertEquals(4L, sections.get("conjugate_gradient").get("calls"));
                assertTrue((double) step.get("unattributed_seconds") >= 0, "sections exceed the step: " + step);
            }
        }
    }

    @Test
    void anUnknownEngineIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepProfile.Settings(
                Path.of("x.yaml"), Path.of("run"), List.of(), 2, List.of("torch")));
        assertTrue(e.getMessage().contains("torch") && e.getMessage().contains("samediff"), e.getMessage());
    }
}
