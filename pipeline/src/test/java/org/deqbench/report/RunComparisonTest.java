package org.deqbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.deqbench.report.RunComparison.Row;
import org.deqbench.report.RunComparison.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunComparisonTest {
    private static final Map<String, Double> TOL = Map.of("psnr", 0.2, "ssim", 0.01, "nmse", 0.005);

    private static Row row(String task, String method, double psnr, double ssim, double nmse) {
        return new Row(task, method, Map.of("psnr", psnr, "ssim", ssim, "nmse", nmse));
    }

    @Test
    void passesWhenEveryMetricMovesAtMostItsToleranceInTheBadDirection() {
        List<Row> base = List.of(row("mri", "modl", 30.0, 0.90, 0.020), row("mri", "mol", 31.0, 0.91, 0.018));
        // Exactly at the tolerance (30.0 -> 29.8 is 0.2 up to decimal rounding) and improvements both pass.
        List<Row> cand = List.of(row("mri", "modl", 29.8, 0.89, 0.025), row("mri", "mol", 33.0, 0.95, 0.010));
        RunComparison.Result r = RunComparison.compare(base, cand, TOL);
        assertTrue(r.passed(), r.table());
        assertEquals(6, r.checks().size());
        assertTrue(r.table().contains("PASS: 6 checks"), r.table());
    }

    @Test
    void flagsADropOfHigherIsBetterAndARiseOfLowerIsBetterMetrics() {
        List<Row> base = List.of(row("mri", "modl", 30.0, 0.90, 0.020));
        List<Row> cand = List.of(row("mri", "modl", 29.7, 0.90, 0.026));
        RunComparison.Result r = RunComparison.compare(base, cand, TOL);
        assertFalse(r.passed());
        assertEquals(List.of("nmse", "psnr"), r.failures().stream().map(RunComparison.Check::metric).sorted().toList());
        assertTrue(r.failures().stream().allMatch(c -> c.status() == Status.REGRESSION));
        assertTrue(r.table().contains("psnr dropped by 0.3"), r.table());
        assertTrue(r.table().contains("nmse rose by 0.006"), r.table());
        // A higher NMSE is an improvement nowhere: the same move upward in PSNR passes.
        assertTrue(RunComparison.compare(base, List.of(row("mri", "modl", 30.3, 0.9, 0.02)), TOL).passed());
    }

    @Test
    void aRowOrMetricMissingInTheCandidateFailsAndIsNamed() {
        List<Row> base = List.of(row("mri", "modl", 30.0, 0.90, 0.020), row("blur", "mol", 25.0, 0.80, 0.05));
        List<Row> cand = List.of(new Row("mri", "modl", Map.of("psnr", 30.0, "nmse", Double.NaN)));
        RunComparison.Result r = RunComparison.compare(base, cand, TOL);
        assertFalse(r.passed());
        List<String> reasons = r.failures().stream().map(RunComparison.Check::reason).toList();
        assertTrue(reasons.contains("row task=blur method=mol is missing in the candidate"), reasons.toString());
        assertTrue(reasons.contains("ssim is missing in the candidate's row task=mri method=modl"), reasons.toString());
        assertTrue(reasons.contains("nmse is missing in the candidate's row task=mri method=modl"), reasons.toString());
        assertTrue(r.failures().stream().allMatch(c -> c.status() == Status.MISSING));
    }

    @Test
    void rowsOnlyInTheCandidateAndMetricsOnlyInTheCandidateAreNotedNotJudged() {
        List<Row> base = List.of(new Row("mri", "modl", Map.of("psnr", 30.0)));
        List<Row> cand = List.of(row("mri", "modl", 30.0, 0.9, 0.02), row("mri", "elder", 1.0, 0.1, 0.9));
        RunComparison.Result r = RunComparison.compare(base, cand, TOL);
        assertTrue(r.passed(), r.table());
        assertEquals(1, r.checks().size());
        assertTrue(r.notes().contains("mri/elder: only in the candidate; not compared"), r.notes().toString());
        assertTrue(r.notes().contains("mri/modl: baseline has no ssim; not compared"), r.notes().toString());
    }

    @Test
    void aToleranceOnAMetricWithoutKnownDirectionIsRejected() {
        List<Row> rows = List.of(row("mri", "modl", 30.0, 0.9, 0.02));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunComparison.compare(rows, rows, Map.of("psnr_db", 0.1)));
        assertTrue(e.getMessage().contains("'psnr_db'") && e.getMessage().contains("psnr"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunComparison.compare(rows, rows, Map.of("psnr", -1.0)));
    }

    @Test
    void summaryIsAListOfRowsOrAnObjectWithRowsAndKeepsOnlyNumbers() {
        String rows = "[{\"task\":\"mri\",\"method\":\"modl\",\"psnr\":30.5,\"ssim\":0.9,\"nmse\":0.02,"
                + "\"attack\":[{\"eps\":0.01}],\"psnr_ci95\":0.4}]";
        List<Row> a = RunComparison.parseSummary(rows, "a");
        List<Row> b = RunComparison.parseSummary("{\"experiment\":\"x\",\"rows\":" + rows + "}", "b");
        assertEquals(a, b);
        assertEquals(Map.of("psnr", 30.5, "ssim", 0.9, "nmse", 0.02, "psnr_ci95", 0.4), a.get(0).metrics());
    }

    @Test
    void malformedOrEmptySummariesAreErrorsNamingTheSource() {
        for (String bad : List.of("{", "{\"x\":1}", "[]", "[{\"task\":\"mri\"}]")) {
            RunComparison.SummaryException e = assertThrows(RunComparison.SummaryException.class,
                    () -> RunComparison.parseSummary(bad, "runs/x/report/summary.json"));
            assertTrue(e.getMessage().startsWith("runs/x/report/summary.json: "), e.getMessage());
        }
        String dup = "[{\"task\":\"a\",\"method\":\"m\",\"psnr\":1},{\"task\":\"a\",\"method\":\"m\",\"psnr\":2}]";
        List<Row> rows = RunComparison.parseSummary(dup, "d");
        assertThrows(RunComparison.SummaryException.class, () -> RunComparison.compare(rows, rows, TOL));
    }

    @Test
    void loadsTheSummaryOfARunDirectoryAndExplainsAMissingOne(@TempDir Path dir) throws IOException {
        Path report = Files.createDirectories(dir.resolve("run/report"));
        Files.writeString(report.resolve("summary.json"), "[{\"task\":\"t\",\"method\":\"m\",\"psnr\":1.5}]");
        assertEquals(1.5, RunComparison.load(dir.resolve("run").toString(), Map.of(), "report/summary.json")
                .get(0).metrics().get("psnr"));
        Files.createDirectories(dir.resolve("empty"));
        RunComparison.SummaryException e = assertThrows(RunComparison.SummaryException.class,
                () -> RunComparison.load(dir.resolve("empty").toString(), Map.of(), "report/summary.json"));
        assertTrue(e.getMessage().contains("no report/summary.json"), e.getMessage());
        e = assertThrows(RunComparison.SummaryException.class,
                () -> RunComparison.load("0123456789abcdef0123456789abcdef", Map.of(), "report/summary.json"));
        assertTrue(e.getMessage().contains("MLFLOW_TRACKING_URI"), e.getMessage());
    }

    @Test
    void downloadsTheSummaryThroughTheTrackingServersArtifactProxy() throws IOException {
        String runId = "0123456789abcdef0123456789abcdef";
        List<String> seen = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String uri = ex.getRequestURI().toString();
            seen.add(ex.getRequestMethod() + " " + uri + " " + ex.getRequestHeaders().getFirst("Authorization"));
            String body;
            int status = 200;
            if (uri.equals("/api/2.0/mlflow/runs/get?run_id=" + runId)) {
                body = "{\"run\":{\"info\":{\"run_id\":\"" + runId + "\",\"artifact_uri\":\"mlflow-artifacts:/7/"
                        + runId + "/artifacts\"}}}";
            } else if (uri.equals("/api/2.0/mlflow-artifacts/artifacts/7/" + runId + "/artifacts/report/summary.json")) {
                body = "{\"rows\":[{\"task\":\"mri\",\"method\":\"mol\",\"psnr\":33.25}]}";
            } else {
                status = 404;
                body = "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\"}";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
        try {
            String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", uri,
                    "MLFLOW_TRACKING_USERNAME", "ci", "MLFLOW_TRACKING_PASSWORD", "pw");
            List<Row> rows = RunComparison.load(runId, env, RunComparison.SUMMARY_PATH);
            assertEquals(33.25, rows.get(0).metrics().get("psnr"));
            assertEquals(rows, RunComparison.load("runs:/" + runId, env, RunComparison.SUMMARY_PATH));
            String basic = "Basic " + Base64.getEncoder().encodeToString("ci:pw".getBytes(StandardCharsets.UTF_8));
            assertTrue(seen.stream().allMatch(s -> s.startsWith("GET ") && s.endsWith(" " + basic)), seen.toString());

            RunComparison.SummaryException e = assertThrows(RunComparison.SummaryException.class,
                    () -> RunComparison.load(runId, env, "report/other.json"));
            assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("report/other.json"),
                    e.getMessage());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void artifactUrisOutsideTheProxyAreNotGuessedAt() {
        assertEquals("7/abc/artifacts", RunComparison.MlflowArtifacts.proxiedPath("mlflow-artifacts:/7/abc/artifacts"));
        assertEquals("7/abc/artifacts",
                RunComparison.MlflowArtifacts.proxiedPath("mlflow-artifacts://mlflow:5000/7/abc/artifacts/"));
        assertEquals(null, RunComparison.MlflowArtifacts.proxiedPath("s3://bucket/7/abc/artifacts"));
    }
}
