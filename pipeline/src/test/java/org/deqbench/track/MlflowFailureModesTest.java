package org.deqbench.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.deqbench.plan.Plan;
import org.deqbench.report.RunComparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What tracking does when the server misbehaves: a redirect to another origin never carries the
 * credentials; credentials never go over plain http to another machine unless allowed; a failing
 * server is asked once per node and then not at all by the following nodes, and the sync delivers
 * everything later. Request counts, not wall time, are asserted.
 */
class MlflowFailureModesTest {
    static final String TOKEN = "tok-Redirect-9f3K";

    @TempDir
    Path runDir;

    private static long withAuthorization(MlflowStandIn s) {
        return s.requests().stream().filter(r -> r.authorization() != null).count();
    }

    @Test
    void aRedirectToAnotherOriginNeverCarriesTheToken() throws Exception {
        try (MlflowStandIn server = new MlflowStandIn(); MlflowStandIn elsewhere = new MlflowStandIn()) {
            server.requireAuthorization("Bearer " + TOKEN);
            server.faults((r, n) -> MlflowStandIn.Fault.redirect(elsewhere.uri()));
            Map<String, String> env = TrackingFixture.with(TrackingFixture.env(server.uri()), Map.of(TrackingEnv.TOKEN, TOKEN));
            Plan plan = TrackingFixture.tinyPlan(runDir);
            Path artifact = Files.writeString(runDir.resolve("curve.txt"), "curve");
            try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), env)) {
                t.logParam("method.kind", "deq");
                t.logMetric("loss", 0.5, 1);
                t.logArtifact(artifact, "train");
            }
            StringWriter w = new StringWriter();
            MlflowSync.sync(runDir, env, new PrintWriter(w, true));
            // the comparison's artifact download as well
            RunComparison.MlflowArtifacts download = new RunComparison.MlflowArtifacts(URI.create(server.uri()), env);
            assertThrows(RuntimeException.class, () -> download.download("some-run", "report/summary.json"));
            assertTrue(server.requests().size() >= 2, "the redirecting server was asked: " + server.requests());
            assertEquals(0, withAuthorization(elsewhere), "the token reached the other origin: " + elsewhere.requests());
            assertEquals(0, elsewhere.requests().size(), "a redirect was followed: " + elsewhere.requests());
        }
    }

    @Test
    void credentialsOverPlainHttpToAnotherMachineAreRefusedUnlessAllowed() {
        Map<String, String> remote = Map.of(TrackingEnv.TRACKING_URI, "http://mlflow.example:5000", TrackingEnv.TOKEN, TOKEN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlflowSettings.fromEnv(remote));
        assertTrue(e.getMessage().contains(TrackingEnv.INSECURE) && e.getMessage().contains("https"), e.getMessage());
        assertFalse(e.getMessage().contains(TOKEN));
        assertTrue(MlflowSettings.fromEnv(TrackingFixture.with(remote, Map.of(TrackingEnv.INSECURE, "1"))).isPresent());
        assertTrue(MlflowSettings.fromEnv(Map.of(TrackingEnv.TRACKING_URI, "https://mlflow.example", TrackingEnv.TOKEN, TOKEN))
                .isPresent());
        assertTrue(MlflowSettings.fromEnv(Map.of(TrackingEnv.TRACKING_URI, "http://mlflow.example:5000")).isPresent(),
                "no credentials, nothing to protect");
        assertTrue(MlflowSettings.fromEnv(Map.of(TrackingEnv.TRACKING_URI, "http://127.0.0.1:5000", TrackingEnv.TOKEN, TOKEN))
                .isPresent(), "loopback traffic never leaves the machine");
        assertThrows(IllegalArgumentException.class, () -> new RunComparison.MlflowArtifacts(
                URI.create("http://mlflow.example:5000"), remote));
    }

    @Test
    void aHangingServerCostsAtMostAFewSecondsPerRequestByDefault() {
        MlflowSettings s = MlflowSettings.fromEnv(Map.of(TrackingEnv.TRACKING_URI, "http://127.0.0.1:5000")).orElseThrow();
        assertTrue(s.requestTimeout().compareTo(Duration.ofSeconds(5)) <= 0, s.toString());
    }

    @Test
    void aFailingServerIsAskedOnceAndTheFollowingNodesSkipItUntilTheSync() throws Exception {
        try (MlflowStandIn server = new MlflowStandIn()) {
            server.faults((r, n) -> MlflowStandIn.Fault.status(503));
            Map<String, String> env = TrackingFixture.env(server.uri());
            Plan plan = TrackingFixture.tinyPlan(runDir);
            try (Tracker t = Trackers.forNode(runDir, plan, plan.node("simulate/t"), env)) {
                for (int i = 0; i < 3000; i++) {
                    t.logMetric("examples", i, i); // several batches' worth
                }
            }
            int afterFirst = server.requests().size();
            assertEquals(1, afterFirst, "one failed request takes the node offline: " + server.requests());
            assertTrue(Files.isRegularFile(MlflowOffline.file(runDir)), "the next nodes are told");
            try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), env)) {
                t.logMetric("loss", 0.1, 1);
                t.logArtifact(Files.writeString(runDir.resolve("a.txt"), "a"), "train");
            }
            assertEquals(afterFirst, server.requests().size(), "a following node does not ask the failing server");
            assertEquals(3000, RunLogReader.read(runDir).latest("simulate/t").orElseThrow().metrics().size());

            server.faults(null);
            SyncReport report = MlflowSync.sync(runDir, env, new PrintWriter(new StringWriter(), true));
            assertTrue(report.complete(), report.toString());
            assertFalse(Files.exists(MlflowOffline.file(runDir)), "a complete sync brings the server back");
            MlflowStandIn.Run sim = server.runs().stream().filter(r -> "simulate/t".equals(r.tags.get("deqbench.node")))
                    .findFirst().orElseThrow();
            assertEquals(3000, sim.metrics.size());
        }
    }
}
