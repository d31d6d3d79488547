package org.deqbench.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deqbench.plan.NodeOutputError;
import org.deqbench.plan.RunStore;
import org.deqbench.report.MemoryBenchmark;

/** Reads the memory benchmark a run directory may hold ({@value MemoryBenchmark#FILE}) for the report. */
public final class MemoryBenchmarkReader {
    private MemoryBenchmarkReader() {
    }

    /**
     * The benchmark of a run directory, or null when it has none.
     *
     * @throws NodeOutputError naming the file when it is present but not a benchmark
     */
    public static MemoryBenchmark read(Path runDir) {
        Path file = runDir.resolve(MemoryBenchmark.FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        MemoryBenchmark b;
        try {
            b = RunStore.JSON.readValue(file.toFile(), MemoryBenchmark.class);
        } catch (IOException e) {
            throw new NodeOutputError(file, "expected {\"rows\": [{\"method\", \"iterations\", \"peak_bytes\", …}]}", e);
        }
        for (int i = 0; i < b.rows().size(); i++) {
            MemoryBenchmark.Row r = b.rows().get(i);
            if (r == null || r.method() == null) {
                throw new NodeOutputError(file, "rows[" + i + "]: expected an object with a \"method\" name", null);
            }
        }
        return b;
    }
}
