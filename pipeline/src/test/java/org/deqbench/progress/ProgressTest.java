package org.deqbench.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void withoutATerminalPrintsStartTenthsAndEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = Progress.lines("simulate/x", 20, new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            for (int i = 0; i < 20; i++) {
                p.step();
            }
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("simulate/x: 0/20", lines.get(0));
        // intermediate lines end with an ETA whose value depends on the clock
        assertEquals("simulate/x: 2/20 (10%)", lines.get(1).replaceFirst(", eta .*$", ""));
        assertEquals("simulate/x: 18/20 (90%)", lines.get(lines.size() - 2).replaceFirst(", eta .*$", ""));
        assertEquals("simulate/x: 20/20 done", lines.get(lines.size() - 1));
        assertEquals(11, lines.size(), "start, 9 tenths, end: " + lines);
    }
}
