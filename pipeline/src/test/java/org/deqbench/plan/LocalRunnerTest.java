package org.deqbench.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunnerTest {
    @TempDir
    Path tmp;

    private String runWithNodeExit(int code, LocalRunner.Result[] result) throws Exception {
        Plan plan = Planner.plan(PlannerTest.spec(PlannerTest.SPEC), "tiny.yaml", tmp.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LocalRunner runner = new LocalRunner(node -> List.of("sh", "-c", "exit " + code), Map.of(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        result[0] = runner.run(plan, new RunStore(tmp), false);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void ctrlCIsReportedAsInterruptedWithTheResumeHint() throws Exception {
        LocalRunner.Result[] r = new LocalRunner.Result[1];
        String log = runWithNodeExit(LocalRunner.EXIT_SIGINT, r);
        assertTrue(r[0].interrupted() && !r[0].ok(), log);
        assertTrue(log.contains("INTERRUPTED (Ctrl-C after") && log.contains("Rerun the same command to resume"), log);
        assertFalse(log.contains("FAILED"), log);
    }

    @Test
    void aFailingNodeIsStillAFailureAndStatusColumnsAreAligned() throws Exception {
        LocalRunner.Result[] r = new LocalRunner.Result[1];
        String log = runWithNodeExit(3, r);
        assertFalse(r[0].interrupted());
        assertTrue(log.contains("FAILED (exit code 3"), log);
        int total = Planner.plan(PlannerTest.spec(PlannerTest.SPEC), "tiny.yaml", tmp.toString()).nodes().size();
        String width = Integer.toString(total);
        assertTrue(log.startsWith("[" + " ".repeat(width.length() - 1) + "1/" + total + "] "), log);
    }
}
