package org.deqbench.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.deqbench.plan.NodeOutputError;
import org.deqbench.report.MemoryBenchmark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's memory benchmark, read from the run directory: absent, well formed, malformed. */
class MemoryBenchmarkReaderTest {
    @TempDir
    Path runDir;

    @Test
    void aRunWithoutABenchmarkHasNone() {
        assertNull(MemoryBenchmarkReader.read(runDir));
    }

    @Test
    void rowsAndSettingsAreReadInFileOrder() throws Exception {
        write("""
                {"rows": [{"method": "modl", "iterations": 5, "peak_bytes": 400, "seconds_per_step": 2.1},
                          {"method": "modl", "iterations": 1, "peak_bytes": 100}],
                 "settings": {"spec": "s.yaml", "task": "cine", "image_size": [16, 16]}}""");
        MemoryBenchmark b = MemoryBenchmarkReader.read(runDir);
        assertEquals(2, b.rows().size());
        assertEquals(400L, b.rows().get(0).peakBytes());
        assertEquals(1, b.byMethod().get("modl").get(0).iterations(), "grouped rows are sorted by iterations");
        assertEquals("cine", b.settings().task());
    }

    @Test
    void aRowWithoutAMethodNamesTheFileAndTheRow() throws Exception {
        write("{\"rows\": [{\"method\": \"modl\", \"iterations\": 1}, {\"iterations\": 2}]}");
        NodeOutputError e = assertThrows(NodeOutputError.class, () -> MemoryBenchmarkReader.read(runDir));
        assertTrue(e.getMessage().contains("memory.json") && e.getMessage().contains("rows[1]"), e.getMessage());
    }

    private void write(String json) throws Exception {
        Files.createDirectories(runDir.resolve("bench"));
        Files.writeString(runDir.resolve(MemoryBenchmark.FILE), json);
    }
}
