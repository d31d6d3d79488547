package org.deqbench.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The whole of {@code report/summary.json}.
 *
 * @param experiment      experiment name
 * @param description     experiment description
 * @param specHash        hash of the spec the run was planned from
 * @param confidence      confidence level of every {@code *_ci95} interval (0.95)
 * @param rows            one row per (task, method), tasks in spec order, methods in spec order
 * @param memoryBenchmark rows of {@code bench/memory.json} when that file exists, else null
 * @param ranking         each method's PSNR rank per task, worst rank and the RERG consistency
 *                        verdict ({@link TaskRanking}); absent when the run has a single task
 */
@JsonPropertyOrder({"experiment", "description", "spec_hash", "confidence", "rows", "memory_benchmark", "ranking"})
public record Summary(
        @JsonProperty("experiment") String experiment,
        @JsonProperty("description") String description,
        @JsonProperty("spec_hash") String specHash,
        @JsonProperty("confidence") double confidence,
        @JsonProperty("rows") List<SummaryRow> rows,
        @JsonProperty("memory_benchmark") List<MemoryBenchmark.Row> memoryBenchmark,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        @JsonProperty("ranking") TaskRanking ranking) {

    /** A summary without a ranking. */
    public Summary(String experiment, String description, String specHash, double confidence, List<SummaryRow> rows,
                   List<MemoryBenchmark.Row> memoryBenchmark) {
        this(experiment, description, specHash, confidence, rows, memoryBenchmark, null);
    }
}
