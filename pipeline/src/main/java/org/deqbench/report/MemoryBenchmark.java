package org.deqbench.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training-memory scaling measured by the separate memory benchmark, as
 * {@link org.deqbench.stage.MemoryBenchmarkReader} reads it from {@code <runDir>/bench/memory.json}:
 * {@code {"rows": [{"method", "iterations", "peak_bytes", "peak_heap_bytes", "peak_offheap_bytes", "seconds_per_step"}]}}. The report plots peak memory
 * against iterations per method: unrolled methods (backpropagation through K iterations) should
 * grow with K, deep-equilibrium methods (implicit backward pass) should not.
 *
 * @param rows measurements, in file order
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MemoryBenchmark(@JsonProperty("rows") List<Row> rows, @JsonProperty("settings") Settings settings) {
    /** Where the benchmark writes, relative to the run directory. */
    public static final String FILE = "bench/memory.json";

    public MemoryBenchmark {
        rows = rows == null ? List.of() : List.copyOf(rows);
    }

    /** A benchmark file without settings (older files, tests). */
    public MemoryBenchmark(List<Row> rows) {
        this(rows, null);
    }

    /**
     * What the benchmark ran on, as {@code deqbench bench memory} records it (null fields when the
     * file does not say).
     *
     * @param spec      the spec file of the benchmark
     * @param task      the task trained (the spec's first)
     * @param imageSize its image size [H, W]
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Settings(@JsonProperty("spec") String spec, @JsonProperty("task") String task,
                           @JsonProperty("image_size") List<Integer> imageSize) {
    }

    /**
     * One measurement.
     *
     * @param method           method name
     * @param iterations       forward iterations K (unrolled) or fixed-point iterations
     * @param peakBytes        peak total memory of one training step
     * @param peakHeapBytes    of which Java heap
     * @param peakOffheapBytes of which native (ND4J) memory
     * @param secondsPerStep   wall-clock seconds per training step
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"method", "iterations", "peak_bytes", "peak_heap_bytes", "peak_offheap_bytes", "seconds_per_step"})
    public record Row(
            @JsonProperty("method") String method,
            @JsonProperty("iterations") int iterations,
            @JsonProperty("peak_bytes") Long peakBytes,
            @JsonProperty("peak_heap_bytes") Long peakHeapBytes,
            @JsonProperty("peak_offheap_bytes") Long peakOffheapBytes,
            @JsonProperty("seconds_per_step") Double secondsPerStep) {
    }

    /** Rows grouped by method (file order of first appearance), each sorted by iterations. */
    public Map<String, List<Row>> byMethod() {
        Map<String, List<Row>> out = new LinkedHashMap<>();
        for (Row r : rows) {
            out.computeIfAbsent(r.method(), k -> new java.util.ArrayList<>()).add(r);
        }
        out.replaceAll((k, v) -> v.stream().sorted(java.util.Comparator.comparingInt(Row::iterations)).toList());
        return out;
    }
}
