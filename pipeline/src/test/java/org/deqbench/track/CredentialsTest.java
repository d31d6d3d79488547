package org.deqbench.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.deqbench.plan.Plan;
import org.deqbench.plan.PlanNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials reach the server and nothing else: not stdout/stderr (even when the server echoes
 * the Authorization header in an error body), not the run log or ack log, not the params and tags
 * the server receives, not the runner's child environment. The server is {@link MlflowStandIn}
 * (no MLflow server can be installed where these tests run); it answers 401 to any request without
 * the expected header, so a run that arrives proves the credentials were sent.
 */
class CredentialsTest {
    static final String TOKEN = "tok-Zq8vW3k9PmX2";
    static final String USER = "deq-user";
    static final String PASSWORD = "pw-H7rT5yLq1N";

    @TempDir
    Path runDir;

    @Test
    void bearerTokenIsSentButNeverWrittenOrPrinted() throws Exception {
        try (MlflowStandIn server = new MlflowStandIn()) {
            server.requireAuthorization("Bearer " + TOKEN);
            Map<String, String> env = TrackingFixture.with(TrackingFixture.env(server.uri()), Map.of(TrackingEnv.TOKEN, TOKEN));
            String output = runEverything(server, env);
            assertNoSecret(server, output, List.of(TOKEN));
        }
    }

    @Test
    void basicCredentialsAreSentButNeverWrittenOrPrinted() throws Exception {
        try (MlflowStandIn server = new MlflowStandIn()) {
            String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            server.requireAuthorization("Basic " + basic);
            Map<String, String> env = TrackingFixture.with(TrackingFixture.env(server.uri()),
                    Map.of(TrackingEnv.USERNAME, USER, TrackingEnv.PASSWORD, PASSWORD));
            String output = runEverything(server, env);
            assertNoSecret(server, output, List.of(PASSWORD, basic));
        }
    }

    @Test
    void credentialsInTheUriAreUsedAndStrippedFromEverythingShown() throws Exception {
        try (MlflowStandIn server = new MlflowStandIn()) {
            String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            server.requireAuthorization("Basic " + basic);
            String uri = server.uri().replace("http://", "http://" + USER + ":" + PASSWORD + "@");
            MlflowSettings s = MlflowSettings.fromEnv(Map.of(TrackingEnv.TRACKING_URI, uri)).orElseThrow();
            assertEquals(server.uri(), s.host());
            assertFalse(s.toString().contains(PASSWORD), s.toString());
            String output = runEverything(server, TrackingFixture.with(TrackingFixture.env(uri), Map.of()));
            assertNoSecret(server, output, List.of(PASSWORD, basic));
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> MlflowSettings.fromEnv(
                    Map.of(TrackingEnv.TRACKING_URI, "ftp://" + USER + ":" + PASSWORD + "@host")));
            assertFalse(bad.getMessage().contains(PASSWORD), bad.getMessage());
        }
    }

    /**
     * A pipeline with every kind of record, a server error that echoes the Authorization header
     * (seen by the live tracker, then by a sync), and the sync; returns all console output.
     */
    private String runEverything(MlflowStandIn server, Map<String, String> env) throws Exception {
        env = TrackingFixture.with(env, Map.of(TrackingEnv.RETRY_SECONDS, "0.2"));
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Path artifact = Files.writeString(runDir.resolve("report.html"), "<html/>");
        StringWriter syncOut = new StringWriter();
        String console;
        try (TrackingFixture.Captured cap = new TrackingFixture.Captured()) {
            PipelineRun pipeline = PipelineTracking.begin(runDir, plan, env);
            assertTrue(pipeline.mlflowRunId().isPresent(), "the parent run was created, so credentials were sent");
            for (String v : pipeline.childEnvironment().values()) {
                assertFalse(v.contains(PASSWORD) || v.contains(TOKEN), "child environment carries no credential");
            }
            Map<String, String> nodeEnv = TrackingFixture.with(env, pipeline.childEnvironment());
            // Every log-batch of the train node fails with the header echoed back in the error body.
            server.faults((r, n) -> r.endpoint().equals("runs/log-batch") && r.body().contains("loss")
                    ? MlflowStandIn.Fault.echo() : null);
            for (PlanNode n : plan.nodes()) {
                try (Tracker t = Trackers.forNode(runDir, plan, n, nodeEnv)) {
                    t.logParams(Map.of("method.lambda", "0.05"));
                    t.logMetric(n.stage().equals("train") ? "loss" : "seconds", 0.25, 0);
                    t.setTag("phase", "test");
                    t.logArtifact(artifact, "");
                }
            }
            pipeline.finish(Tracker.Status.FINISHED);
            SyncReport echoing = MlflowSync.sync(runDir, env, new PrintWriter(syncOut, true));
            assertFalse(echoing.complete(), "the echoing server keeps failing the train node");
            server.faults(null);
            SyncReport clean = MlflowSync.sync(runDir, env, new PrintWriter(syncOut, true));
            assertTrue(clean.complete(), clean.toString());
            console = cap.text();
        }
        String all = console + syncOut;
        assertTrue(all.contains(Redactor.MASK), "the echoed header was seen and masked: " + all);
        assertEquals(1 + plan.nodes().size(), server.runs().size());
        assertTrue(server.runs().stream().allMatch(r -> !r.status.equals("RUNNING")));
        return all;
    }

    private void assertNoSecret(MlflowStandIn server, String output, List<String> secrets) throws Exception {
        String files = TrackingFixture.allFiles(runDir);
        StringBuilder received = new StringBuilder();
        for (MlflowStandIn.Request r : server.requests()) {
            // Everything but the Authorization header itself: paths, queries, bodies (params, tags).
            received.append(r.path()).append(' ').append(r.query()).append(' ').append(r.body()).append('\n');
        }
        for (MlflowStandIn.Run run : server.runs()) {
            received.append(run.params).append(run.tags).append(run.name).append('\n');
        }
        for (String s : secrets) {
            assertFalse(output.contains(s), "console output leaks a credential");
            assertFalse(files.contains(s), "a file in the run directory leaks a credential");
            assertFalse(received.toString().contains(s), "params, tags or request bodies leak a credential");
        }
        assertTrue(server.requests().stream().allMatch(r -> r.authorization() != null), "every request authenticated");
    }
}
