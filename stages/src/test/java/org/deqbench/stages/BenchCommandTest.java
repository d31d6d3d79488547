package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    /** A tiny run (8 channels, 2 layers, one 1x2x8x8 shape, 64x64 gemm): checks the report, not speed. */
    @Test
    void kernelsWritesAReportWithGemmAndEveryConvolutionPath(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bench.json");
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(text));
        int code = cli.execute("kernels", "--out", out.toString(), "--rounds", "1", "--gemm-size", "64",
                "--channels", "8", "--layers", "2", "--shape", "1x2x8x8");
        assertEquals(0, code, text.toString());
        JsonNode report = new ObjectMapper().readTree(out.toFile());
        assertEquals("kernel-benchmark", report.get("kind").asText());
        assertTrue(report.get("gemm").get("gflops").asDouble() > 0);
        assertTrue(report.get("environment").get("libnd4j").asText().contains("nd4jcpu"));
        JsonNode shape = report.get("shapes").get(0);
        assertEquals("1x2x8x8", shape.get("shape").asText());
        // 2 layers: 2·9·(2·8 + 8·2)·64 FLOPs per image.
        assertEquals(2.0 * 9 * (2 * 8 + 8 * 2) * 64 / 1e9, shape.get("forward_gflop_count").asDouble(), 1e-15);
        // every convolution path: oneDNN in both layouts and the shifted gemms
        assertEquals(3, shape.get("layouts").size());
        assertEquals("NHWC-gemm", shape.get("layouts").get(2).get("layout").asText());
        assertTrue(shape.get("layouts").get(0).get("forward_vjp").get("gflops").asDouble() > 0);
        assertTrue(shape.get("layouts").get(2).get("forward_vjp").get("gflops").asDouble() > 0);
        // the VJP through SameDiff is timed beside the oneDNN op-by-op one, and the chosen paths named
        assertTrue(shape.get("layouts").get(0).get("graph_forward_vjp").get("gflops").asDouble() > 0);
        java.util.Set<String> paths = java.util.Set.of("NCHW", "NHWC", "NHWC-gemm");
        assertTrue(paths.contains(shape.get("chosen_forward_layout").asText()), shape.toString());
        assertTrue(paths.contains(shape.get("chosen_vjp_layout").asText()), shape.toString());
    }

    /** A five-size shape runs the 3D network: k³ FLOPs per voxel and the layouts named NCDHW/NDHWC. */
    @Test
    void kernelsRunsTheThreeDimensionalNetworkOnVolumeShapes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bench3d.json");
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(text));
        int code = cli.execute("kernels", "--out", out.toString(), "--rounds", "1", "--gemm-size", "64",
                "--channels", "4", "--layers", "2", "--shape", "1x2x3x6x5");
        assertEquals(0, code, text.toString());
        JsonNode shape = new ObjectMapper().readTree(out.toFile()).get("shapes").get(0);
        assertEquals("1x2x3x6x5", shape.get("shape").asText());
        // 2 layers: 2·27·(2·4 + 4·2)·90 FLOPs per volume.
        assertEquals(2.0 * 27 * (2 * 4 + 4 * 2) * 90 / 1e9, shape.get("forward_gflop_count").asDouble(), 1e-15);
        assertEquals("NCDHW", shape.get("layouts").get(0).get("layout").asText());
        assertEquals("NDHWC", shape.get("layouts").get(1).get("layout").asText());
        assertEquals("NDHWC-gemm", shape.get("layouts").get(2).get("layout").asText());
        assertTrue(shape.get("layouts").get(1).get("forward_vjp").get("gflops").asDouble() > 0);
    }

    /**
     * A tiny norm-bound run (4 channels, 10x10): the report has its timings, and the proven bound
     * is never below the Lanczos estimate of the same norm (which approaches it from below) and
     * within 10 % of it on this small image (the circular relaxation's gap).
     */
    @Test
    void normBoundWritesTheBoundAboveTheLanczosEstimate(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("norm.json");
        CommandLine cli = new CommandLine(new BenchCommand());
        int code = cli.execute("norm-bound", "--out", out.toString(), "--channels", "4", "--size", "10", "--rounds", "1");
        assertEquals(0, code);
        JsonNode report = new ObjectMapper().readTree(out.toFile());
        assertEquals(1, report.get("seconds").size());
        double ratio = report.get("bound_over_lanczos").asDouble();
        assertTrue(ratio >= 1 && ratio <= 1.1, "bound / Lanczos = " + ratio);
    }

    @Test
    void rejectsMalformedShapes(@TempDir Path dir) {
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setErr(new PrintWriter(new StringWriter()));
        int code = cli.execute("kernels", "--out", dir.resolve("x.json").toString(), "--shape", "4x2x64");
        assertEquals(2, code);
    }
}
